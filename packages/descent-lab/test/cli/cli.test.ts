import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFromSources } from '../../../../test/from-sources.js';
import { decodeSafetensors } from '../../../descent/src/node/safetensors.js';
import { short } from '../../src/lab/format.js';
import { writeTinySet } from '../lab/tiny-fashion-mnist.js';

/**
 * The command line as a user runs it (bin/descent.js, through pipes, not a terminal), built from
 * the current sources before the tests (see from-sources.ts), never from a stale dist/.
 */
let bin = '';
let remove = () => {};
const dir = mkdtempSync(join(tmpdir(), 'descent-cli-'));
beforeAll(async () => {
  ({ bin, remove } = await buildFromSources());
}, 60_000);
afterAll(() => {
  remove();
  rmSync(dir, { recursive: true, force: true });
});

function descent(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A command that hangs is killed (code null), so that it fails its test rather than the run.
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: dir,
      timeout: 50_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('help', () => {
  it.concurrent.each([[[]], [['lab']], [['plot', 'schedule']], [['compare']]])(
    'descent %j --help',
    async (args) => {
      const { code, stdout } = await descent(...args, '--help');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: descent/);
    },
  );

  it('lists every schedule with its options', async () => {
    const { stdout } = await descent('plot', 'schedule', '--help');
    for (const name of [
      'square-root',
      'factor',
      'multi-factor',
      'cosine',
      'MultiStepLR',
      'OneCycleLR',
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    expect(stdout).toMatch(/cosine +maxUpdate 20, baseLr 0.3, finalLr 0.01/);
  });

  it('compare lists every optimizer with the options --set takes, from their specs', async () => {
    const { stdout } = await descent('compare', '--help');
    for (const name of ['sgd', 'momentum', 'adam', 'yogi', 'adamw', 'nadam', 'rprop', 'asgd']) {
      expect(stdout).toMatch(new RegExp(`^  ${name} +\\w+: lr `, 'm'));
    }
    expect(stdout).toMatch(/^ {2}adam +Adam: lr 0.01, betas 0.9,0.999, eps 1e-6,/m);
    expect(stdout).not.toMatch(/lbfgs|newton/i);
  });
});

describe('usage errors: one line, exit code 2', () => {
  it.concurrent.each([
    [['lab', '--bogus'], /unknown option '--bogus'/],
    [['lab', '--seed', 'x'], /--seed/],
    [['lab', '--seed', '-1'], /--seed/],
    [['lab', '--only', 'gd-2d,nope'], /Unknown experiment id: "nope"/],
    [['plot', 'schedule', 'nope'], /Unknown schedule: "nope"/],
    [['plot', 'schedule', 'lambda-lr'], /cannot be plotted.*function/],
    [['plot', 'schedule', 'cosine', '--gamma', '1'], /Unknown option for cosine: gamma/],
    [['plot', 'schedule', 'cosine', '--max-update', 'x'], /--max-update.*"x"/],
    [['plot', 'schedule', 'cosine', '--max-update', '-3'], /maxUpdate: -3/],
    [['plot', 'schedule', 'cosine', '--out', 'plot.pdf'], /--out.*\.svg or \.png/],
    [['plot', 'schedule', 'cosine', '--plot-steps', '0'], /--plot-steps/],
    // The plot's range is --plot-steps; --steps is a schedule's own option, where it has one.
    [
      ['plot', 'schedule', 'cosine', '--steps', '40'],
      /Unknown option for cosine: steps .*--plot-steps/,
    ],
    [['plot', 'schedule', 'cosine', '--warmup-stepz', '4'], /did you mean warmupSteps\?/],
    [
      ['plot', 'schedule', 'warmup-cosine-decay', '--total-steps', '1e9'],
      /spans 1000000001 steps .*at most 100000/,
    ],
    // Fuzzed command lines.
    [['lab', '--out', '/proc/self/x', '--only', 'gd-2d'], /Invalid --out: "\/proc\/self\/x"/],
    [
      ['compare', '--optimizers', 'adam', '--out', '/proc/self/x'],
      /Invalid --out: "\/proc\/self\/x"/,
    ],
    [
      ['plot', 'schedule', 'cosine', '--out', '/proc/self/x.svg'],
      /Invalid --out: "\/proc\/self\/x.svg"/,
    ],
    [['lab', '--out', '', '--only', 'gd-2d'], /Invalid --out: "" \(expected a directory\)/],
    [
      ['compare', '--optimizers', 'adam', '--out', ''],
      /Invalid --out: "" \(expected a directory\)/,
    ],
    [['plot', 'schedule', 'cosine', '--out', ''], /Invalid --out: ""/],
    ...['constructor', '__proto__'].map((name) => [
      ['compare', '--optimizers', name],
      new RegExp(
        `Unknown optimizer: "${name}" \\(expected one of sgd, momentum, adagrad, .*, yogi`,
      ),
    ]),
    [
      ['compare', '--optimizers', 'adamm'],
      /Unknown optimizer: "adamm" \(did you mean adam\? expected/,
    ],
    [['plot', 'schedule', 'constructor'], /Unknown schedule: "constructor"/],
    [['plot', 'schedule', 'cosine', '--__proto__', '5'], /Unknown option for cosine: __proto__/],
    [
      ['plot', 'schedule', 'cosine', '--constructor', '5'],
      /Unknown option for cosine: constructor/,
    ],
    [['lab', '--__proto__', '5'], /unknown option '--__proto__'/],
    [
      ['plot', 'schedule', 'cosine', '--warmup-steps', '1e308'],
      /^error: Invalid --warmup-steps: 1e308 \(with it, cosine's maxUpdate must be an integer >= 1e\+308, and it is 20; set it with --max-update\)\n$/,
    ],
    [['compare', '--optimizers', 'adam,nope'], /Unknown optimizer: "nope"/],
    [
      ['compare', '--optimizers', 'adam,sgd', '--lr', '0.1,0.2,0.3'],
      /3 learning rates for 2 optimizers/,
    ],
    [['compare', '--optimizers', 'adam', '--lr', '-1'], /learning rate \(lr\): -1/],
    [['compare', '--optimizers', 'adam', '--epochs', '0'], /--epochs/],
    [
      ['compare', '--optimizers', 'adam', '--set', 'betaz=0.9'],
      /Unknown option for --set: betaz \(did you mean betas\? Adam takes lr, betas,/,
    ],
    [
      ['compare', '--optimizers', 'adam,sgd', '--set', 'momentum=-1'],
      /^error: Invalid momentum value \(momentum\): -1 \(expected in \[0, 1\]\)\n$/,
    ],
    [
      ['compare', '--optimizers', 'adam', '--state-dtypes', 'bfloat16,int4'],
      /^error: Invalid stateDtypes: "int4" \(expected float32, bfloat16, int8\)\n$/,
    ],
    [
      ['compare', '--optimizers', 'adam,adadelta', '--state-dtypes', 'bfloat16'],
      /^error: Invalid stateDtypes: Adadelta keeps no moments to store in another type \(SGD, .*Adam, .*Lion do\)\n$/,
    ],
    [['compare', '--task', 'mnist', '--optimizers', 'adam'], /--task.*mnist/],
    [
      ['compare', '--task', 'airfoil', '--optimizers', 'adam', '--train-size', '100'],
      /^error: Invalid --train-size: the airfoil task does not take it \(it is for --task fashion-mnist and synthetic\)\n$/,
    ],
    [
      ['compare', '--task', 'synthetic', '--optimizers', 'adam', '--fashion-mnist', 'data'],
      /^error: Invalid --fashion-mnist: the synthetic task does not take it \(it is for --task fashion-mnist\)\n$/,
    ],
    [
      ['compare', '--task', 'synthetic', '--optimizers', 'adam', '--checkpoint', 'ck'],
      /^error: Invalid --checkpoint: the synthetic task does not take it \(it is for --task airfoil\)\n$/,
    ],
    [
      ['compare', '--task', 'synthetic', '--optimizers', 'adam', '--train-size', '0'],
      /--train-size/,
    ],
    [
      ['compare', '--task', 'fashion-mnist', '--optimizers', 'adam', '--state-dtypes', 'int4'],
      /^error: Invalid stateDtypes: "int4" \(expected float32, bfloat16, int8\)\n$/,
    ],
    [['compare', '--task', 'synthetic', '--optimizers', 'lbfgs'], /Unsupported optimizer: "lbfgs"/],
    [['compare'], /required option '--optimizers/],
    [['bogus'], /unknown command 'bogus'/],
  ])('descent %j', async (args, message) => {
    const { code, stdout, stderr } = await descent(...(args as string[]));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: /);
    expect(stderr).toMatch(message as RegExp);
  });
});

describe('failures: one line, exit code 1', () => {
  it.concurrent.each([
    // A run that diverges compares nothing.
    [
      ['compare', '--optimizers', 'adam', '--lr', '1e10', '--out', 'diverged'],
      /^descent: adam diverged at lr 1e\+10 \(loss [^)]+\); try a smaller --lr$/,
    ],
    // An experiment asked for and not run fails; the whole lab lists such experiments, and passes.
    [
      ['lab', '--only', 'schedule-train-cosine', '--out', 'not-run'],
      /^descent: did not run schedule-train-cosine: not run by default: /,
    ],
    [
      [
        'lab',
        '--only',
        'schedule-train-cosine',
        '--epochs',
        '1',
        '--fashion-mnist',
        'nowhere',
        '--out',
        'not-run',
      ],
      /^descent: did not run schedule-train-cosine: /,
    ],
    // The data is never swapped for another silently: the failure names the task that has it.
    [
      [
        'compare',
        '--task',
        'fashion-mnist',
        '--fashion-mnist',
        'nowhere',
        '--optimizers',
        'adam',
        '--out',
        'no-data',
      ],
      /^descent: Fashion-MNIST file \S*nowhere\/train-images-idx3-ubyte\(\.gz\) is missing: install it .*; or train on generated images: --task synthetic$/,
    ],
  ])('descent %j', async (args, message) => {
    const { code, stderr } = await descent(...(args as string[]));
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message as RegExp);
  });

  it('an experiment asked for and not run beside others: their report, then the failure', async () => {
    const out = join(dir, 'lab-partly');
    const { code, stdout, stderr } = await descent(
      'lab',
      '--quick',
      '--only',
      'gd-2d,schedule-train-cosine',
      '--out',
      out,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^gd-2d +x₁ = −0\.057646/m);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('descent: '))).toEqual([
      'descent: did not run schedule-train-cosine: skipped by --quick (each run trains LeNet for minutes)',
    ]);
    expect(lines.at(-1)).toMatch(/^descent: /);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  });

  it('leaves no directory behind when nothing ran', async () => {
    await descent('lab', '--only', 'schedule-train-cosine', '--out', 'nothing/ran');
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
  });

  it('compare leaves no directory behind when its data is missing', async () => {
    const { code } = await descent(
      ...['compare', '--task', 'fashion-mnist', '--fashion-mnist', 'nowhere'],
      ...['--optimizers', 'adam', '--out', 'no-data-dir/out'],
    );
    expect(code).toBe(1);
    expect(existsSync(join(dir, 'no-data-dir'))).toBe(false);
  });
});

describe('plot schedule covers the whole schedule its options describe', () => {
  // [schedule and options, steps plotted at least, the value it ends at]
  it.concurrent.each([
    [['warmup-cosine-decay', '--total-steps', '1000'], 1001, 0],
    [['warmup-stable-decay', '--total-steps', '1000', '--decay-steps', '200'], 1001, 0],
    [['one-cycle', '--total-steps', '1000'], 1000, 0.1 / 25 / 1e4],
    // --steps is the schedule's own.
    [['linear', '--steps', '1000'], 1001, 0.01],
    [['polynomial', '--steps', '1000'], 1001, 0.01],
    [['cosine-decay', '--steps', '1000'], 1001, 0],
  ])('%j', async (args, least, end) => {
    const out = join(dir, `range-${(args as string[]).join('-')}.svg`);
    const { code, stdout, stderr } = await descent(
      'plot',
      'schedule',
      ...(args as string[]),
      '--out',
      out,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [, steps, last] = /, (\d+) steps, from \S+ to (\S+)$/m.exec(stdout)!;
    expect(Number(steps)).toBeGreaterThanOrEqual(least as number);
    expect(Number(steps)).toBeLessThanOrEqual(2 * (least as number));
    expect(Number(last)).toBeCloseTo(end as number, 12);
  });
});

describe('commands', () => {
  it('runs the current sources, not a build of them', async () => {
    const files = (top: string, ext: string): string[] =>
      (readdirSync(top, { recursive: true }) as string[])
        .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts'))
        .map((f) => f.slice(0, -ext.length))
        .sort();
    const src = fileURLToPath(new URL('../../src', import.meta.url));
    // Beside them the playground's bundle, made by scripts/build-playground.mjs, not by tsc.
    const built = files(join(bin, '..', '..', 'dist'), '.js').filter(
      (f) => f !== join('playground', 'playground'),
    );
    expect(built).toEqual(files(src, '.ts'));
    // package.json beside dist/, as in the package.
    const { code, stdout } = await descent('--version');
    expect(code).toBe(0);
    const manifest = new URL('../../package.json', import.meta.url);
    expect(stdout.trim()).toBe(JSON.parse(readFileSync(manifest, 'utf8')).version);
  });

  it('plot schedule writes a PNG of the chapter’s cosine schedule with warmup', async () => {
    const out = join(dir, 'cosine.png');
    const { code, stdout } = await descent(
      'plot',
      'schedule',
      'cosine',
      '--warmup-steps',
      '5',
      '--out',
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/cosine, 30 steps, from 0 to 0.01/);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
  });

  it('plot schedule plots a PyTorch-style scheduler as SVG, with list options', async () => {
    const out = join(dir, 'step.svg');
    const { code, stdout } = await descent(
      'plot',
      'schedule',
      'multi-step-lr',
      '--milestones',
      '2,4',
      '--lr=1',
      '--plot-steps',
      '6',
      '--out',
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/MultiStepLR, 6 steps, from 1 to 0.25/);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('milestones: [2, 4]');
  });

  it('compare trains each optimizer and writes curves and a table', async () => {
    const out = join(dir, 'compare');
    const { code, stdout, stderr } = await descent(
      'compare',
      '--task',
      'airfoil',
      '--optimizers',
      'adam,sgd',
      '--epochs',
      '1',
      '--out',
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^adam +lr 0.01, eps 1e−6, batchSize 10, epochs 1 +0\.2\d{3}/m);
    expect(stdout).toMatch(/^sgd +lr 0.05, batchSize 10, epochs 1 +0\.2\d{3}/m);
    expect(stderr).not.toContain('\x1b');
    for (const file of ['compare-loss-epochs.svg', 'compare-loss-time.svg', 'compare.md']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(results.runs)).toEqual(['adam', 'sgd']);
    expect(results.runs.adam.finalLoss).toBeLessThan(0.26);
  });

  it('compare --task synthetic trains the MLP per state dtype and gives test accuracy against float32 in points', async () => {
    const out = join(dir, 'compare-synthetic');
    const { code, stdout, stderr } = await descent(
      ...['compare', '--task', 'synthetic', '--optimizers', 'adam', '--lr', '0.001'],
      ...['--state-dtypes', 'float32,int8', '--train-size', '500', '--epochs', '1', '--out', out],
    );
    expect(code).toBe(0);
    // Which data it trained on, said before any run.
    expect(stderr.split('\n')[0]).toBe(
      'training on synthetic images (src/data/synthetic-images.ts, seed 0), 500 training and 2000 test images',
    );
    expect(stderr).toMatch(/^adam-int8 +test accuracy \d+\.\d\d%, test loss \d\.\d{4}$/m);
    expect(stdout).toMatch(/^adam-float32 +lr 0.001, eps 1e−6,/m);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.task).toBe('synthetic');
    expect(Object.keys(results.runs)).toEqual(['adam-float32', 'adam-int8']);
    const [float32, int8] = [results.runs['adam-float32'], results.runs['adam-int8']];
    expect(int8.settings.stateDtype).toBe('int8');
    const points = 100 * (int8.testAccuracy - float32.testAccuracy);
    const table = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(table).toContain('| vs float32 state (points) |');
    const row = table.split('\n').find((l) => l.startsWith('| adam-int8 |'));
    expect(row).toContain(
      `| ${(100 * int8.testAccuracy).toFixed(2)}% | ${int8.testLoss.toFixed(4)} | ${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)} |`,
    );
    expect(existsSync(join(out, 'compare-test-accuracy.svg'))).toBe(true);
  });

  it('compare --task fashion-mnist trains on the data set of --fashion-mnist, saying so', async () => {
    const data = join(dir, 'compare-tiny-fashion');
    mkdirSync(data);
    writeTinySet(data);
    const out = join(dir, 'compare-fashion');
    const { code, stderr } = await descent(
      ...['compare', '--task', 'fashion-mnist', '--fashion-mnist', data],
      ...['--optimizers', 'sgd', '--batch-size', '64', '--epochs', '1', '--out', out],
    );
    expect(code).toBe(0);
    expect(stderr).toContain(
      `training on Fashion-MNIST (${data}), its 512 training images, its 128 test images`,
    );
    const { runs } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(runs.sgd.settings).toMatchObject({ lr: 0.05, batchSize: 64, epochs: 1 });
    // Two classes far apart (a bright top half or bottom half): learnt in an epoch.
    expect(runs.sgd.testAccuracy).toBeGreaterThan(0.9);
  });

  it('playground serves the page on 127.0.0.1, cross-origin isolated', async () => {
    const child = spawn(process.execPath, [bin, 'playground', '--port', '0', '--no-open']);
    try {
      const line = await new Promise<string>((done, fail) => {
        child.stdout.once('data', (chunk: Buffer) => done(chunk.toString()));
        child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
      });
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(line)?.[0];
      expect(url, line).toBeDefined();
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await page.text()).toContain('<script type="module" src="./playground.js">');
      expect((await fetch(`${url}playground.js`)).status).toBe(200);
      expect((await fetch(`${url}..%2f..%2fpackage.json`)).status).not.toBe(200);
    } finally {
      child.kill();
    }
  });

  it('compare --state-dtypes runs each optimizer per state dtype: bfloat16 state ends within 1% of float32', async () => {
    const out = join(dir, 'compare-state-dtypes');
    const { code, stdout } = await descent(
      'compare',
      '--optimizers',
      'adam,adamw,momentum',
      '--state-dtypes',
      'float32,bfloat16',
      '--out',
      out,
    );
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const names = ['adam', 'adamw', 'momentum'];
    expect(Object.keys(results.runs)).toEqual(
      names.flatMap((name) => [`${name}-float32`, `${name}-bfloat16`]),
    );
    for (const name of names) {
      const float32 = results.runs[`${name}-float32`];
      const bfloat16 = results.runs[`${name}-bfloat16`];
      expect(bfloat16.settings.stateDtype).toBe('bfloat16');
      // The same run but for the state's storage: not the same numbers, the same result.
      expect(bfloat16.finalLoss).not.toBe(float32.finalLoss);
      expect(Math.abs(bfloat16.finalLoss / float32.finalLoss - 1), name).toBeLessThan(0.01);
    }
    const table = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(table).toContain('| vs float32 state |');
    for (const name of names) {
      // The float32 run is the base (—); the bfloat16 run's final loss is given against it.
      const row = (dtype: string) =>
        table.split('\n').find((l) => l.startsWith(`| ${name}-${dtype} |`));
      expect(row('float32')).toMatch(/\| — \| [^|]+ \|$/);
      const { finalLoss } = results.runs[`${name}-bfloat16`];
      const change = 100 * (finalLoss / results.runs[`${name}-float32`].finalLoss - 1);
      const cell = `${change >= 0 ? '+' : ''}${short(change)}%`;
      expect(row('bfloat16')).toContain(`| ${cell} |`);
    }
    expect(stdout).toMatch(/^adam-bfloat16 /m);
  });

  it('compare --set gives options over the book’s settings, to the optimizers that take them', async () => {
    const out = join(dir, 'compare-set');
    const { code, stdout } = await descent(
      'compare',
      '--optimizers',
      'adam,momentum',
      '--set',
      'adam.betas=0.8,0.99',
      '--set',
      'momentum=0.5',
      '--epochs',
      '1',
      '--out',
      out,
    );
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.runs.adam.settings).toEqual({
      lr: 0.01,
      eps: 1e-6,
      betas: [0.8, 0.99],
      batchSize: 10,
      epochs: 1,
    });
    expect(results.runs.momentum.settings).toMatchObject({ lr: 0.005, momentum: 0.5 });
    expect(stdout).toMatch(/^adam +lr 0.01, eps 1e−6, betas \[0.8, 0.99\]/m);
  });

  it('lab runs chosen experiments, logs plain lines off a terminal, and writes the report', async () => {
    const out = join(dir, 'lab');
    const { code, stdout, stderr } = await descent(
      'lab',
      '--quick',
      '--only',
      'gd-2d,adam-airfoil,schedule-cosine',
      '--out',
      out,
    );
    expect(code).toBe(0);
    expect(stderr).not.toContain('\x1b');
    expect(stderr).toMatch(/^\[1\/3\] gd-2d +x₁ = −0\.057646, x₂ = −0\.000073 +book ✓/m);
    expect(stdout).toMatch(/1 of 1 deterministic traces reproduce the book's printed values/);
    expect(stdout).toMatch(/^adam-airfoil +loss 0\.2\d{3}/m);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(results.experiments)).toEqual(['gd-2d', 'adam-airfoil', 'schedule-cosine']);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'figures', 'gd-2d.svg'))).toBe(true);
  });

  it('lab runs every experiment, lists those it cannot run, and fits its table in 80 columns', async () => {
    const out = join(dir, 'lab-all');
    const { code, stdout } = await descent('lab', '--quick', '--out', out);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(80);
    // The six training runs share one note, given in full once, below the table.
    expect(stdout.match(/^schedule-train-\S+ +skipped by --quick \[1\]$/gm)).toHaveLength(6);
    expect(
      stdout.match(/^\[1\] skipped by --quick \(each run trains LeNet for minutes\)$/gm),
    ).toHaveLength(1);
    expect(stdout).toMatch(/^gd-2d +x₁ = −0\.057646, x₂ = −0\.000073 +book ✓/m);
    expect(readdirSync(join(out, 'figures')).length).toBeGreaterThan(30);
  });

  it('lab --list names every experiment by section', async () => {
    const { code, stdout } = await descent('lab', '--list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^12\.3 Gradient descent$/m);
    expect(stdout).toMatch(/^ {2}newton-nonconvex-eta1 /m);
    expect(stdout).toMatch(/^ {2}schedule-train-cosine-warmup /m);
  });
});

describe('compare --checkpoint and --resume', () => {
  const optimizers = ['--optimizers', 'adam,momentum'];
  const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));

  it('a run resumed from its checkpoints ends as the uninterrupted one', async () => {
    const checkpoints = join(dir, 'checkpoints');
    const straight = join(dir, 'straight-4');
    const [whole, half] = await Promise.all([
      descent('compare', ...optimizers, '--epochs', '4', '--out', straight),
      descent(
        'compare',
        ...optimizers,
        '--epochs',
        '2',
        '--checkpoint',
        checkpoints,
        '--out',
        join(dir, 'first-2'),
      ),
    ]);
    expect(whole.code).toBe(0);
    expect(half.code).toBe(0);
    expect(readdirSync(checkpoints).sort()).toEqual(['adam.safetensors', 'momentum.safetensors']);

    const resumed = join(dir, 'resumed-4');
    const { code, stderr } = await descent(
      'compare',
      ...optimizers,
      '--epochs',
      '4',
      '--checkpoint',
      checkpoints,
      '--resume',
      '--out',
      resumed,
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/^adam: resuming from .*checkpoints\/adam\.safetensors after epoch 2$/m);
    expect(stderr).toMatch(/^momentum: resuming from .*momentum\.safetensors after epoch 2$/m);
    const expected = results(straight).runs;
    const got = results(resumed).runs;
    for (const name of ['adam', 'momentum']) {
      expect(got[name].finalLoss, name).toBe(expected[name].finalLoss);
      expect(got[name].finalLoss, name).toBeLessThan(0.26);
      // The whole curve: the first half from the checkpoint, the second trained after it.
      expect(got[name].curve.map((p: { loss: number }) => p.loss)).toEqual(
        expected[name].curve.map((p: { loss: number }) => p.loss),
      );
      expect(got[name].settings.epochs).toBe(4);
    }
    // Resumed at its end, a run trains no more and gives the same result.
    const again = await descent(
      'compare',
      '--optimizers',
      'adam',
      '--epochs',
      '4',
      '--checkpoint',
      checkpoints,
      '--resume',
      '--out',
      join(dir, 'resumed-again'),
    );
    expect(again.code).toBe(0);
    expect(results(join(dir, 'resumed-again')).runs.adam.finalLoss).toBe(expected.adam.finalLoss);

    // Resuming with other settings would mix two runs; fewer epochs than done cannot be.
    const other = await descent(
      'compare',
      '--optimizers',
      'adam',
      '--lr',
      '0.02',
      '--checkpoint',
      checkpoints,
      '--resume',
      '--out',
      join(dir, 'other'),
    );
    expect(other.code).toBe(1);
    expect(other.stderr.trimEnd()).toMatch(
      /^descent: Cannot resume from .*adam\.safetensors: it was saved by a run with settings\.lr 0\.01, and this one has settings\.lr 0\.02$/m,
    );
    const fewer = await descent(
      'compare',
      '--optimizers',
      'adam',
      '--epochs',
      '3',
      '--checkpoint',
      checkpoints,
      '--resume',
      '--out',
      join(dir, 'fewer'),
    );
    expect(fewer.code).toBe(1);
    expect(fewer.stderr.trimEnd()).toMatch(
      /^descent: Cannot resume from .*adam\.safetensors: it has done 4 epochs, more than the 3 asked for$/m,
    );
  });

  it('a run without a checkpoint starts afresh; a damaged one is refused, naming it', async () => {
    const checkpoints = join(dir, 'checkpoints-partial');
    const first = await descent(
      'compare',
      '--optimizers',
      'sgd',
      '--epochs',
      '1',
      '--checkpoint',
      checkpoints,
      '--out',
      join(dir, 'partial-1'),
    );
    expect(first.code).toBe(0);
    const { code, stderr } = await descent(
      'compare',
      '--optimizers',
      'sgd,adam',
      '--epochs',
      '2',
      '--checkpoint',
      checkpoints,
      '--resume',
      '--out',
      join(dir, 'partial-2'),
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/^sgd: resuming from .*sgd\.safetensors after epoch 1$/m);
    expect(stderr).toMatch(/^adam: no checkpoint at .*adam\.safetensors, starting afresh$/m);

    const file = join(checkpoints, 'sgd.safetensors');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    const damaged = await descent(
      'compare',
      '--optimizers',
      'sgd',
      '--epochs',
      '3',
      '--checkpoint',
      checkpoints,
      '--resume',
      '--out',
      join(dir, 'partial-3'),
    );
    expect(damaged.code).toBe(1);
    expect(damaged.stderr.trimEnd()).toMatch(
      /^descent: Invalid checkpoint .*sgd\.safetensors: truncated: its tensors take \d+ bytes after the header, and the file has \d+$/m,
    );
  });

  it.concurrent.each([
    [['--resume'], /^error: Invalid --resume: it continues from --checkpoint <dir>, not given$/],
    [
      ['--resume', '--checkpoint', 'nowhere'],
      /^error: Invalid --checkpoint: "nowhere" \(no such directory to resume from\)$/,
    ],
    [['--checkpoint', '/proc/self/x'], /^error: Invalid --checkpoint: "\/proc\/self\/x"/],
  ])('usage errors: %j', async (args, message) => {
    const { code, stdout, stderr } = await descent(
      'compare',
      '--optimizers',
      'adam',
      ...(args as string[]),
      '--out',
      join(dir, 'unused'),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd()).toMatch(message as RegExp);
  });
});

describe('lab --checkpoint and --resume', () => {
  // Two Fashion-MNIST runs on a tiny look-alike of the data set (test/lab/tiny-fashion-mnist.ts).
  const [first, second] = ['schedule-train-constant', 'schedule-train-factor'];
  const data = join(dir, 'tiny-fashion');
  const otherData = join(dir, 'tiny-fashion-other');
  beforeAll(() => {
    for (const [where, seed] of [
      [data, 1],
      [otherData, 2],
    ] as const) {
      mkdirSync(where);
      writeTinySet(where, seed);
    }
  });
  const lab = (...args: string[]) => ['lab', '--fashion-mnist', data, ...args];
  const experiments = (out: string) =>
    JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).experiments;
  const timings = ['seconds per epoch (training)', 'seconds per test evaluation'];
  /** Every number of a run's result but its timings, which no two runs share. */
  const numbers = (result: { series: unknown[]; values: Record<string, number> }) => ({
    series: result.series,
    values: Object.fromEntries(
      Object.entries(result.values).filter(([key]) => !timings.includes(key)),
    ),
  });
  const tensors = (file: string) => {
    const { tensors } = decodeSafetensors(readFileSync(file));
    return Object.fromEntries(
      [...tensors].map(([name, t]) => [name, Buffer.from(t.data.buffer).toString('base64')]),
    );
  };

  it('a run killed midway and resumed ends bit for bit as the uninterrupted one', async () => {
    const checkpoints = join(dir, 'lab-checkpoints');
    const straightCheckpoints = join(dir, 'lab-checkpoints-straight');
    const straight = join(dir, 'lab-straight');
    const both = `${first},${second}`;
    // The second run killed after its first epoch, once the first run has ended.
    const [whole, killed] = await Promise.all([
      descent(
        ...lab('--only', both, '--epochs', '3', '--checkpoint', straightCheckpoints),
        '--out',
        straight,
      ),
      killWhenExists(
        join(checkpoints, `${second}.safetensors`),
        ...lab(
          '--only',
          both,
          '--epochs',
          '3',
          '--checkpoint',
          checkpoints,
          '--out',
          join(dir, 'lab-killed'),
        ),
      ),
    ]);
    expect(whole.code).toBe(0);
    expect(killed).toBe('SIGKILL');
    expect(existsSync(join(dir, 'lab-killed', 'results.json'))).toBe(false);
    const firstFile = join(checkpoints, `${first}.safetensors`);
    const firstBytes = readFileSync(firstFile);

    // Alone, the second run's model is the process's first, and tfjs names its variables
    // otherwise than where it was saved: the checkpoint goes by position and its own names.
    const resumedSecond = join(dir, 'lab-resumed-second');
    const resumed = await descent(
      ...lab('--only', second, '--epochs', '3', '--checkpoint', checkpoints, '--resume'),
      '--out',
      resumedSecond,
    );
    expect(resumed.code).toBe(0);
    const [, done] = new RegExp(
      `^${second}: resuming from .*${second}\\.safetensors after epoch (\\d)$`,
      'm',
    ).exec(resumed.stderr)!;
    expect(Number(done)).toBeGreaterThanOrEqual(1);
    expect(Number(done)).toBeLessThan(3);
    const expected = experiments(straight);
    expect(numbers(experiments(resumedSecond)[second])).toEqual(numbers(expected[second]));
    expect(expected[second].values.epochs).toBe(3);
    // The model's weights and the optimizer's state after the last epoch, tensor for tensor.
    const weights = tensors(join(straightCheckpoints, `${second}.safetensors`));
    expect(Object.keys(weights)).toEqual(expect.arrayContaining(['0.kernel', '7.bias']));
    expect(tensors(join(checkpoints, `${second}.safetensors`))).toEqual(weights);
    expect(tensors(firstFile)).toEqual(tensors(join(straightCheckpoints, `${first}.safetensors`)));

    // Both done: resumed, neither trains again (their files are not rewritten), and the report
    // holds both results.
    const again = join(dir, 'lab-resumed-both');
    const secondBytes = readFileSync(join(checkpoints, `${second}.safetensors`));
    const rerun = await descent(
      ...lab('--only', both, '--epochs', '3', '--checkpoint', checkpoints, '--resume'),
      '--out',
      again,
    );
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(new RegExp(`^${first}: resuming from .* after epoch 3$`, 'm'));
    expect(rerun.stderr).toMatch(new RegExp(`^${second}: resuming from .* after epoch 3$`, 'm'));
    expect(readFileSync(firstFile).equals(firstBytes)).toBe(true);
    expect(readFileSync(join(checkpoints, `${second}.safetensors`)).equals(secondBytes)).toBe(true);
    for (const id of [first, second]) {
      expect(numbers(experiments(again)[id]), id).toEqual(numbers(expected[id]));
    }

    // A checkpoint of another run is refused, naming the file and what differs.
    const file = `${first.replace(/-/g, '\\-')}\\.safetensors`;
    const refusals: [string[], RegExp][] = [
      [['--seed', '1'], /it was saved by a run with seed 0, and this one has seed 1$/],
      [['--epochs', '2'], /it has done 3 epochs, more than the 2 asked for$/],
      [
        ['--fashion-mnist', otherData],
        /it was saved by a run with data\.sha256 "[0-9a-f]{64}", and this one has data\.sha256 "[0-9a-f]{64}"$/,
      ],
    ];
    await Promise.all(
      refusals.map(async ([args, message]) => {
        const { code, stderr } = await descent(
          ...lab('--only', first, '--epochs', '3', '--checkpoint', checkpoints, '--resume'),
          ...args,
          '--out',
          join(dir, 'lab-refused'),
        );
        expect(code, args.join(' ')).toBe(1);
        expect(stderr.trimEnd().split('\n').at(-1)).toMatch(
          new RegExp(`^descent: Cannot resume from .*${file}: ${message.source}`),
        );
      }),
    );
  }, 60_000);

  it('refuses a checkpoint of something else, naming it', async () => {
    const checkpoints = join(dir, 'lab-checkpoints-other');
    const made = await descent(
      'compare',
      '--optimizers',
      'sgd',
      '--epochs',
      '1',
      '--checkpoint',
      checkpoints,
      '--out',
      join(dir, 'lab-other-compare'),
    );
    expect(made.code).toBe(0);
    renameSync(join(checkpoints, 'sgd.safetensors'), join(checkpoints, `${first}.safetensors`));
    const { code, stderr } = await descent(
      ...lab('--only', first, '--epochs', '1', '--checkpoint', checkpoints, '--resume'),
      '--out',
      join(dir, 'lab-other'),
    );
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^descent: Invalid checkpoint .*schedule-train-constant\.safetensors: it holds 2 parameters \("w", "b"\), and 10 were given$/,
    );
  });

  it.concurrent.each([
    [['--resume'], /^error: Invalid --resume: it continues from --checkpoint <dir>, not given$/],
    [
      ['--resume', '--checkpoint', 'nowhere'],
      /^error: Invalid --checkpoint: "nowhere" \(no such directory to resume from\)$/,
    ],
    [['--checkpoint', '/proc/self/x'], /^error: Invalid --checkpoint: "\/proc\/self\/x"/],
  ])('usage errors: %j', async (args, message) => {
    const { code, stdout, stderr } = await descent(
      ...lab('--only', first, '--epochs', '1', ...(args as string[])),
      '--out',
      join(dir, 'unused'),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd()).toMatch(message as RegExp);
  });
});

/**
 * Runs the command line, kills it (SIGKILL) as soon as `file` exists, and returns the signal
 * that ended it (null when it ended by itself first).
 */
function killWhenExists(file: string, ...args: string[]): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: 'ignore' });
    const poll = setInterval(() => {
      if (existsSync(file)) child.kill('SIGKILL');
    }, 2);
    const timeout = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (_, signal) => {
      clearInterval(poll);
      clearTimeout(timeout);
      resolve(signal);
    });
  });
}
