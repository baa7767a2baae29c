import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The package as its users get it, for the tests of test/package/: the current sources built by
 * the build's compiler and configuration (`tsc -p tsconfig.build.json` and the browser bundle of
 * scripts/build-browser.mjs, into a temporary directory: the shared dist/ is left alone), packed by `npm pack` (so package.json's "files" and
 * "exports" decide what a user gets) and unpacked into `node_modules/descent` of a temporary
 * project. The project's node_modules also links the repository's @tensorflow packages, the peer
 * dependency of descent/tfjs.
 *
 * tsc runs with --noCheck: it emits what `npm run build` emits without checking types, which
 * `npm run check` does, so that these tests fail for the package and not for a type error.
 */

/** The library's folder (packages/descent/) and the repository's, whose node_modules it uses. */
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

const run = promisify(execFile);

export interface Packed {
  /** The temporary project: package.json, and node_modules/descent unpacked from the tarball. */
  project: string;
  /** The paths in the tarball, `dist/index.js` etc. */
  files: string[];
  /** The tarball `npm pack` wrote. */
  tarball: string;
  remove(): void;
}

export async function packDescent(): Promise<Packed> {
  const dir = mkdtempSync(join(tmpdir(), 'descent-package-'));
  try {
    const stage = join(dir, 'stage');
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = ['-p', join(root, 'tsconfig.build.json'), '--noCheck', '--outDir'];
    await run(process.execPath, [tsc, ...build, join(stage, 'dist')]);
    // The build's browser bundle, by the build's own script (`npm run build:browser`).
    const browser = join(root, 'scripts', 'build-browser.mjs');
    await run(process.execPath, [browser, join(stage, 'dist', 'browser', 'descent.js')]);
    for (const name of ['package.json', 'src', 'build/descent.wasm']) {
      if (existsSync(join(root, name)))
        cpSync(join(root, name), join(stage, name), { recursive: true });
    }
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      {
        cwd: stage,
      },
    );
    const [{ filename, files }] = JSON.parse(stdout) as [
      { filename: string; files: { path: string }[] },
    ];

    const project = join(dir, 'project');
    const descent = join(project, 'node_modules', 'descent');
    mkdirSync(descent, { recursive: true });
    await run('tar', ['-xzf', join(dir, filename), '-C', descent, '--strip-components=1']);
    symlinkSync(
      join(repoRoot, 'node_modules', '@tensorflow'),
      join(project, 'node_modules', '@tensorflow'),
    );
    cpSync(join(root, 'test', 'package', 'project'), project, { recursive: true });
    return {
      project,
      files: files.map((f) => f.path),
      tarball: join(dir, filename),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The environment of a user's shell: without the variables Vitest sets for its own process. */
export function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      name.startsWith('VITEST') ||
      name === 'NODE_ENV' ||
      name === 'TEST' ||
      name === 'NODE_OPTIONS'
    ) {
      delete env[name];
    }
  }
  return env;
}
