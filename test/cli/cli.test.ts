import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The built command line (bin/descent.js runs dist/, which `npm ci` builds through `prepare`;
 * after changing src/, run `npm run build`), run as a user runs it: through pipes, not a terminal.
 */
const bin = fileURLToPath(new URL('../../bin/descent.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'descent-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function descent(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir });
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
    [['plot', 'schedule', 'cosine', '--steps', '0'], /--steps/],
    [['compare', '--optimizers', 'adam,nope'], /Unknown optimizer: "nope"/],
    [
      ['compare', '--optimizers', 'adam,sgd', '--lr', '0.1,0.2,0.3'],
      /3 learning rates for 2 optimizers/,
    ],
    [['compare', '--optimizers', 'adam', '--lr', '-1'], /learning rate \(lr\): -1/],
    [['compare', '--optimizers', 'adam', '--epochs', '0'], /--epochs/],
    [['compare', '--task', 'mnist', '--optimizers', 'adam'], /--task.*mnist/],
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

describe('commands', () => {
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
      '--steps',
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

  it('lab --list names every experiment by section', async () => {
    const { code, stdout } = await descent('lab', '--list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^12\.3 Gradient descent$/m);
    expect(stdout).toMatch(/^ {2}newton-nonconvex-eta1 /m);
    expect(stdout).toMatch(/^ {2}schedule-train-cosine-warmup /m);
  });
});
