import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Packed, packDescent, repoRoot, root, userEnv } from './packed.js';

/**
 * descent as a dependency: the tarball of `npm pack` unpacked into a project (packed.ts), used
 * from Node through `require()` and `import`, and bundled for a page by esbuild and Vite with
 * their defaults. Every program steps Adam from the same state, with the result of PyTorch's
 * first Adam step: p - lr·g/(|g| + eps), in float32.
 */

const run = promisify(execFile);

const ADAM = [
  1 - 0.1 * (0.5 / (0.5 + 1e-8)),
  2 + 0.1 * (1 / (1 + 1e-8)),
  3 - 0.1 * (2 / (2 + 1e-8)),
  4,
];

function expectAdam(values: number[]): void {
  expect(values).toEqual(ADAM.map(Math.fround));
}

// require() of an ES module: by default from Node 20.19 and 22.12, behind a flag from 20.17.
const requireEsm = (process.features as { require_module?: boolean }).require_module
  ? []
  : ['--experimental-require-module'];

let packed: Packed;

beforeAll(async () => {
  packed = await packDescent();
}, 180_000);

afterAll(() => packed?.remove());

/** Runs `node ...args` in the project and parses the JSON it prints. */
async function node(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [...requireEsm, ...args], {
    cwd: packed.project,
    env: userEnv(),
  });
  return JSON.parse(stdout);
}

describe('the package', () => {
  it('holds every file its exports name', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const targets = (value: unknown): string[] =>
      typeof value === 'string' ? [value] : Object.values(value as object).flatMap(targets);
    const named = targets(pkg.exports).map((path) => path.replace(/^\.\//, ''));
    expect(named.filter((path) => !packed.files.includes(path))).toEqual([]);
  });
});

describe('installed', () => {
  it('installs into an empty project as exactly one package: no dependencies', async () => {
    const project = join(packed.project, '..', 'empty');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "empty", "private": true }\n');
    // --offline: a package without dependencies needs nothing from a registry.
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', packed.tarball], {
      cwd: project,
      env: userEnv(),
    });
    const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: project });
    const installed = stdout
      .trim()
      .split('\n')
      .map((path) => path.slice(project.length + 1));
    expect(installed).toEqual(['', 'node_modules/descent']);
  });
});

describe('with TensorFlow.js', () => {
  it("saves and loads a model with descent's optimizer, with the project's own tfjs", async () => {
    expect(await node('save-load.cjs')).toEqual({
      loaded: true,
      optimizer: 'DescentOptimizer',
      same: true,
    });
  });

  it('loads it through a linked descent that sees another tfjs, once registered with the project’s', async () => {
    // `npm install /path/to/folder` links descent: it then imports the folder's tfjs-core, here
    // the packed project's (the repository's), while this project has a copy of its own. The
    // project lives under the repository's node_modules so that its copies find their
    // dependencies (long, seedrandom) there.
    const cache = join(repoRoot, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const linked = mkdtempSync(join(cache, 'descent-linked-'));
    try {
      for (const name of ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu']) {
        const from = join(repoRoot, 'node_modules', '@tensorflow', name);
        const to = join(linked, 'node_modules', '@tensorflow', name);
        const { main } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
        mkdirSync(join(to, 'dist'), { recursive: true });
        for (const file of ['package.json', main]) cpSync(join(from, file), join(to, file));
      }
      symlinkSync(
        join(packed.project, 'node_modules', 'descent'),
        join(linked, 'node_modules', 'descent'),
      );
      cpSync(join(packed.project, 'save-load.cjs'), join(linked, 'save-load.cjs'));
      const inLinked = async (...args: string[]) =>
        JSON.parse((await run(process.execPath, args, { cwd: linked, env: userEnv() })).stdout);
      const unregistered = await inLinked('save-load.cjs');
      expect(unregistered.loaded).toBe(false);
      expect(unregistered.error).toMatch(/DescentOptimizer/);
      expect(await inLinked('save-load.cjs', '--register')).toEqual({
        loaded: true,
        optimizer: 'DescentOptimizer',
        same: true,
      });
    } finally {
      rmSync(linked, { recursive: true, force: true });
    }
  });
});

describe('on Node', () => {
  const stepped = { wasm: true, workers: 1, sharedSteps: 1, sgd: true };

  it('loads with require() (CommonJS) and shares steps with worker threads', async () => {
    const result = await node('require.cjs');
    expectAdam(result.adam as number[]);
    expect(result).toMatchObject(stepped);
  });

  it('loads with import, the same', async () => {
    const result = await node('import.mjs');
    expectAdam(result.adam as number[]);
    expect(result).toMatchObject(stepped);
  });

  it('keeps its worker threads without process.getBuiltinModule (Node before 20.16)', async () => {
    // The "node" entry imports Node's modules itself (src/kernels/wasm/node.ts).
    const result = await node('--require', './no-get-builtin-module.cjs', 'require.cjs');
    expectAdam(result.adam as number[]);
    expect(result).toMatchObject(stepped);
  });

  it("runs the browsers' entry too: threads where getBuiltinModule is, one thread where not", async () => {
    const result = await node('default-entry.mjs');
    expectAdam(result.adam as number[]);
    expect(result).toMatchObject(stepped);
    const bare = await node('--require', './no-get-builtin-module.cjs', 'default-entry.mjs');
    expectAdam(bare.adam as number[]);
    expect(bare).toMatchObject({ wasm: true, workers: 0, sharedSteps: 0, sgd: true });
  });

  it('loads descent/tfjs with require()', async () => {
    expect(await node('tfjs.cjs')).toEqual({ sgd: [0.5, 0.5, 0.5, 0.5] });
  });
});

/**
 * Runs a bundled page script in a bare context: ECMAScript's globals (WebAssembly,
 * SharedArrayBuffer, Atomics) and `atob`, which browsers have; no `process`, `require` or Node
 * module. `document` answers the feature test of Vite's modulepreload polyfill as browsers do.
 * Without SharedArrayBuffer (a page not cross-origin isolated) the TypeScript kernels step.
 */
function runPage(code: string, sharedArrayBuffer: boolean) {
  let report: { adam: number[]; info: Record<string, unknown> } | undefined;
  const document = { createElement: () => ({ relList: { supports: () => true } }) };
  const context = vm.createContext({ atob, document, report: (r: typeof report) => (report = r) });
  if (!sharedArrayBuffer) vm.runInContext('delete globalThis.SharedArrayBuffer', context);
  vm.runInContext(code, context);
  expect(report).toBeDefined();
  expectAdam(report!.adam);
  expect(report!.info).toMatchObject(
    sharedArrayBuffer
      ? { available: true, rows: 1, threads: 1, workers: 0 }
      : { available: false, rows: 0, threads: 1, workers: 0 },
  );
}

/**
 * A bundle may name Node's modules only as the strings host.ts hands to
 * `process.getBuiltinModule` and in the source of a worker (run by Node's Worker): never in an
 * import that a browser would load.
 */
function expectNoNodeImport(code: string): void {
  const count = (pattern: RegExp) => code.match(pattern)?.length ?? 0;
  expect(count(/node:/g)).toBe(
    count(/getBuiltinModule\((["'`])node:(worker_threads|os)\1\)/g) +
      count(/require\((["'`])node:worker_threads\1\)/g),
  );
  expect(code).not.toContain('__vite-browser-external');
}

describe('in a page', () => {
  it('bundles with esbuild --bundle --platform=browser, which takes no Node module', async () => {
    const esbuild = join(repoRoot, 'node_modules', '.bin', 'esbuild');
    const { stderr } = await run(
      esbuild,
      [
        'page/main.js',
        '--bundle',
        '--platform=browser',
        '--outfile=out/esbuild/main.js',
        '--metafile=out/esbuild/meta.json',
        '--log-level=warning',
      ],
      { cwd: packed.project, env: userEnv() },
    );
    expect(stderr).toBe('');
    const meta = JSON.parse(readFileSync(join(packed.project, 'out/esbuild/meta.json'), 'utf8'));
    const inputs = meta.inputs as Record<string, { imports: { path: string }[] }>;
    expect(Object.keys(inputs)).toContain('node_modules/descent/dist/index.js');
    expect(Object.keys(inputs).filter((path) => /node\.js|node-entry/.test(path))).toEqual([]);
    const imports = Object.values(inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imports.filter((path) => path.startsWith('node:'))).toEqual([]);

    const code = readFileSync(join(packed.project, 'out/esbuild/main.js'), 'utf8');
    expectNoNodeImport(code);
    runPage(code, true);
    runPage(code, false);
  });

  it('bundles with vite build', async () => {
    const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
    const out = join(packed.project, 'out', 'vite');
    const { stderr } = await run(
      process.execPath,
      [vite, 'build', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'],
      { cwd: join(packed.project, 'page'), env: userEnv() },
    );
    expect(stderr).toBe('');
    const scripts = readdirSync(join(out, 'assets')).filter((name) => name.endsWith('.js'));
    expect(scripts).toHaveLength(1);
    const code = readFileSync(join(out, 'assets', scripts[0]), 'utf8');
    expectNoNodeImport(code);
    runPage(code, true);
    runPage(code, false);
  });
});
