import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Where the package lives in the repository: its manifest, and for each import specifier its
 * users write the source it stands for (what the manifest's `exports` give as types, built).
 */
const layout = {
  manifest: 'packages/descent/package.json',
  entries: {
    descent: 'packages/descent/src/index.ts',
    'descent/tfjs': 'packages/descent/src/adapters/tfjs/index.ts',
    'descent/node': 'packages/descent/src/node/index.ts',
    // The browser bundle of the same entry (scripts/build-browser.mjs), typed by its declarations.
    'descent/browser': 'packages/descent/src/index.ts',
  } as Record<string, string>,
};

/** The documents whose ```ts blocks are examples; a block opened with ```ts fragment is not. */
const documents = ['README.md', 'CONTRIBUTING.md'];

/**
 * Every TypeScript example of the documentation compiles as a user's program would: each block
 * is a module of its own in a temporary project (ESM, its node_modules the repository's), type
 * checked under `strict` with the package's specifiers resolved to the sources. One program holds
 * them all, so the sources are read and bound once.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Block {
  document: string;
  /** The line of the document where the block's code starts (1-based). */
  line: number;
  code: string;
}

/** The ```ts blocks of a Markdown text, with the line each starts on; fragments left out. */
function tsBlocks(document: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const info = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (info === null || info[1] === '') continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const language = info[1].toLowerCase();
    if ((language === 'ts' || language === 'typescript') && info[2].trim() !== 'fragment') {
      blocks.push({ document, line: i + 2, code: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return blocks;
}

const blocks = documents.flatMap((document) =>
  tsBlocks(document, readFileSync(join(root, document), 'utf8')),
);

const dir = mkdtempSync(join(tmpdir(), 'descent-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compiles every block in one program; the diagnostics of each, as `document:line: message`. */
function compile(): string[][] {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const files = blocks.map((block, i) => {
    const file = join(dir, `example-${i}.ts`);
    writeFileSync(file, `${block.code}\n`);
    return file;
  });
  const paths = Object.fromEntries(
    Object.entries(layout.entries).map(([specifier, source]) => [specifier, [join(root, source)]]),
  );
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    skipLibCheck: true,
    paths,
  };
  const program = ts.createProgram(files, options);
  const general = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  return files.map((file, i) => {
    const source = program.getSourceFile(file);
    if (source === undefined) return [`${blocks[i].document}: ${file} was not compiled`];
    const found = [
      ...(i === 0 ? general : []),
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    return found.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${message}`;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${blocks[i].document}:${blocks[i].line + line}: error TS${d.code}: ${message}`;
    });
  });
}

describe('the documented examples', () => {
  it('are found: the README has its examples', () => {
    expect(blocks.filter((b) => b.document === 'README.md').length).toBeGreaterThanOrEqual(3);
  });

  it('are read from ts blocks, with their lines, fragments and other languages left out', () => {
    const text = [
      '# Title',
      '```ts',
      'const a = 1;',
      '```',
      '```sh',
      'npm test',
      '```',
      '```ts fragment',
      'a;',
      '```',
      '```typescript',
      'const b = 2;',
      'const c = 3;',
      '```',
    ].join('\n');
    expect(tsBlocks('X.md', text)).toEqual([
      { document: 'X.md', line: 3, code: 'const a = 1;' },
      { document: 'X.md', line: 12, code: 'const b = 2;\nconst c = 3;' },
    ]);
  });

  it('map every entry of the package', () => {
    const manifest = JSON.parse(readFileSync(join(root, layout.manifest), 'utf8')) as {
      name: string;
      exports: Record<string, unknown>;
    };
    const specifiers = Object.keys(manifest.exports)
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
    expect(specifiers.sort()).toEqual(Object.keys(layout.entries).sort());
  });

  it('compile under strict, each with no diagnostics', () => {
    const diagnostics = compile();
    const failing = blocks
      .map((block, i) => ({ block, found: diagnostics[i] }))
      .filter(({ found }) => found.length > 0)
      .map(
        ({ block, found }) =>
          `${block.document}, block at line ${block.line}:\n${found.join('\n')}`,
      );
    expect(failing.join('\n\n')).toBe('');
  });
});
