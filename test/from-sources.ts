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
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The workspaces' packages built from the current sources, for the tests that run them as
 * programs (the command line's, the checkpoint kill test): bin/descent.js runs dist/, which
 * `npm test` does not build, so tests of it could pass against a stale build. This lays out a
 * copy of packages/descent and packages/descent-lab in a temporary directory, each with its src/
 * transpiled into its dist/ (TypeScript's transpileModule: types stripped, nothing checked, which
 * `tsc --noEmit` does), bin/ copied, package.json and data/ linked, the playground bundled into the
 * lab's dist/ (scripts/build-playground.mjs), and the lab's
 * node_modules/descent linked to the copy of the library, so the lab imports the current
 * library and not the repository's build. The copy lives under the repository's
 * node_modules/.cache, so that every other import finds the repository's node_modules above it.
 * The shared dist/ folders are left alone.
 *
 * Transpiled files are cached under node_modules/.cache by the hash of their source, so that only
 * files changed since the last run are transpiled again (and TypeScript loads only then).
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const cacheDir = join(root, 'node_modules', '.cache', 'descent-from-sources');
const require = createRequire(import.meta.url);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The copy's folders, and a function that removes it. */
export interface FromSources {
  /** The copy of packages/descent: package.json and dist/. */
  library: string;
  /** bin/descent.js of the copy of packages/descent-lab. */
  bin: string;
  remove(): void;
}

/** Transpiles `pkg`/src/ into `copy`/dist/, through the cache. */
async function transpile(pkg: string, copy: string): Promise<void> {
  const tsVersion = (require('typescript/package.json') as { version: string }).version;
  let ts: typeof import('typescript') | undefined;
  for (const path of sources(join(pkg, 'src'))) {
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
    const target = join(copy, 'dist', relative(join(pkg, 'src'), path).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(cached, target);
  }
  symlinkSync(join(pkg, 'package.json'), join(copy, 'package.json'));
}

/** Builds the copy of both packages from the current sources. */
export async function buildFromSources(): Promise<FromSources> {
  mkdirSync(cacheDir, { recursive: true });
  const copy = mkdtempSync(join(cacheDir, 'run-'));
  const library = join(copy, 'descent');
  const lab = join(copy, 'descent-lab');
  await transpile(join(root, 'packages', 'descent'), library);
  const labSources = join(root, 'packages', 'descent-lab');
  await transpile(labSources, lab);
  mkdirSync(join(lab, 'bin'));
  for (const file of readdirSync(join(labSources, 'bin')))
    copyFileSync(join(labSources, 'bin', file), join(lab, 'bin', file));
  symlinkSync(join(labSources, 'data'), join(lab, 'data'));
  // The playground page (which `descent lab` copies into its report), bundled from the sources.
  const { buildPlayground } = await import('../packages/descent-lab/scripts/build-playground.mjs');
  await buildPlayground(join(lab, 'dist'));
  mkdirSync(join(lab, 'node_modules'));
  symlinkSync(library, join(lab, 'node_modules', 'descent'));
  return {
    library,
    bin: join(lab, 'bin', 'descent.js'),
    remove: () => rmSync(copy, { recursive: true, force: true }),
  };
}
