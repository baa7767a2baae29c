import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The command line built from the current sources, for the CLI tests: bin/descent.js runs
 * dist/, which `npm test` does not build, so tests of it could pass against a stale build. This
 * lays out a copy of the package in a temporary directory, with src/ transpiled into its dist/
 * (TypeScript's transpileModule: types stripped, nothing checked, which `tsc --noEmit` does),
 * bin/ copied, and package.json, data/ and node_modules/ linked, so that the files dist/ reads
 * beside itself (../../package.json, ../../data/) are where a build has them. It leaves the
 * shared dist/ alone.
 *
 * Transpiled files are cached under node_modules/.cache by the hash of their source, so that only
 * files changed since the last run are transpiled again (and TypeScript loads only then).
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(root, 'node_modules', '.cache', 'descent-cli-test');
const require = createRequire(import.meta.url);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Builds the copy and returns the path of its bin/descent.js, and a function that removes it. */
export async function buildFromSources(): Promise<{ bin: string; remove: () => void }> {
  const tsVersion = (require('typescript/package.json') as { version: string }).version;
  let ts: typeof import('typescript') | undefined;
  const copy = mkdtempSync(join(tmpdir(), 'descent-cli-build-'));
  mkdirSync(cacheDir, { recursive: true });
  for (const path of sources(join(root, 'src'))) {
    const source = readFileSync(path, 'utf8');
    const hash = createHash('sha256').update(`${tsVersion}\0${source}`).digest('hex');
    const cached = join(cacheDir, `${hash}.js`);
    if (!existsSync(cached)) {
      ts ??= (await import('typescript')).default;
      const { outputText } = ts.transpileModule(source, {
        fileName: path,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      // Written whole, then renamed: runs at the same time never read half a file.
      const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(partial, outputText);
      renameSync(partial, cached);
    }
    const target = join(copy, 'dist', relative(join(root, 'src'), path).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(cached, target);
  }
  mkdirSync(join(copy, 'bin'));
  for (const file of readdirSync(join(root, 'bin')))
    copyFileSync(join(root, 'bin', file), join(copy, 'bin', file));
  for (const name of ['package.json', 'data', 'node_modules'])
    symlinkSync(join(root, name), join(copy, name));
  return {
    bin: join(copy, 'bin', 'descent.js'),
    remove: () => rmSync(copy, { recursive: true, force: true }),
  };
}
