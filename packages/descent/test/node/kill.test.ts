import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildFromSources } from '../../../../test/from-sources.js';
import { type FloatArray, type Param, param } from '../../src/core/param.js';
import { loadCheckpointSync, saveCheckpointSync } from '../../src/node/index.js';
import { SGD } from '../../src/optim/sgd.js';

/**
 * A process killed (SIGKILL) at a random moment while it saves a large checkpoint over and over
 * leaves a file that loads, whole, as one of the versions it saved (or the one before): never a
 * mix of two, never a torn one. The child runs descent built from the current sources (the CLI
 * tests' copy, test/from-sources.ts); each version fills every array with its number, so a
 * file of two versions would show.
 */

// 32 MiB of float64 without state (SGD without momentum) and a small float32 one with momentum:
// most of a save is then spent writing the file, where a kill can tear it.
const size = 1 << 22;
const small = 1000;
const rounds = 20;

let root = '';
let remove = () => {};
const dir = mkdtempSync(join(tmpdir(), 'descent-kill-'));
beforeAll(async () => {
  const built = await buildFromSources();
  root = built.library;
  remove = built.remove;
}, 120_000);
afterAll(() => {
  remove();
  rmSync(dir, { recursive: true, force: true });
});

const child = `
import { param } from './dist/core/param.js';
import { saveCheckpointSync } from './dist/node/index.js';
import { SGD } from './dist/optim/sgd.js';
const [file, sizeText, smallText, baseText] = process.argv.slice(2);
const params = [
  param(Number(sizeText), { dtype: 'float64', name: 'w' }),
  param(Number(smallText), { dtype: 'float32', name: 'b' }),
];
const optimizer = new SGD([{ params: [params[0]] }, { params: [params[1]], momentum: 0.9 }], { lr: 0.1 });
for (const p of params) p.grad.fill(1);
optimizer.step();
const buffer = optimizer.state.get(params[1]).momentumBuffer;
for (let v = Number(baseText) + 1; ; v++) {
  for (const p of params) p.data.fill(v);
  buffer.fill(v);
  const began = performance.now();
  saveCheckpointSync(file, { params, optimizer, extra: { version: v } });
  process.stdout.write(v + ' ' + (performance.now() - began).toFixed(1) + '\\n');
}
`;

function makeRun(): { params: Param<FloatArray>[]; optimizer: SGD } {
  const params = [param(size, { dtype: 'float64', name: 'w' }), param(small, { name: 'b' })];
  const optimizer = new SGD([{ params: [params[0]] }, { params: [params[1]], momentum: 0.9 }], {
    lr: 0.1,
  });
  return { params, optimizer };
}

/** The version the file holds, after checking that every array of it is of that version. */
function versionIn(file: string): number {
  const run = makeRun();
  const { extra } = loadCheckpointSync(file, run);
  const version = (extra as { version: number }).version;
  const buffer = run.optimizer.state.get(run.params[1])?.momentumBuffer as Float32Array;
  for (const array of [run.params[0].data, run.params[1].data, buffer]) {
    expect(array.every((x) => x === version)).toBe(true);
  }
  return version;
}

it(`leaves the old checkpoint or the new one, whole, killed mid-save ${rounds} times`, async () => {
  const file = join(dir, 'run.safetensors');
  const run = makeRun();
  for (const p of run.params) p.grad.fill(1);
  run.optimizer.step();
  for (const p of run.params) p.data.fill(0);
  (run.optimizer.state.get(run.params[1])!.momentumBuffer as Float32Array).fill(0);
  saveCheckpointSync(file, { ...run, extra: { version: 0 } });
  const script = join(root, 'kill-child.mjs');
  writeFileSync(script, child);

  let held = versionIn(file);
  let base = 0;
  let midWrite = 0;
  const seen = new Set<number>();
  const saveTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const process_ = spawn(
      process.execPath,
      [script, file, String(size), String(small), String(base)],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let saved: number[] = [];
    process_.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().trim().split('\n')) {
        const [v, ms] = line.split(' ').map(Number);
        saved.push(v);
        saveTimes.push(ms);
      }
    });
    // Killed once it has saved at least once, at a random moment of a later save.
    await until(() => saved.length > 0, process_);
    await sleep(Math.random() * 400);
    await kill(process_);
    const last = saved.at(-1)!;
    const version = versionIn(file);
    // What it held before, or a version the child saved, or the one it was saving.
    expect(version === held || (version > base && version <= last + 1), `round ${round}`).toBe(
      true,
    );
    expect(version).toBeGreaterThanOrEqual(last);
    seen.add(version);
    held = version;
    // A temporary file left beside it: killed between its creation and the rename.
    const left = readdirSync(dir).filter((name) => name.endsWith('.tmp'));
    if (left.length > 0) midWrite++;
    for (const name of left) rmSync(join(dir, name));
    base = last + 1000;
    saved = [];
  }
  const mean = saveTimes.reduce((a, b) => a + b, 0) / saveTimes.length;
  console.log(
    `${rounds} kills, ${midWrite} mid-write (temporary file left); ${saveTimes.length} saves of ${(size * 8) / 2 ** 20} MiB, ${mean.toFixed(0)} ms each`,
  );
  expect(seen.size).toBeGreaterThan(rounds / 2);
  // Most kills land while the file is written (the bulk of a save's time).
  expect(midWrite).toBeGreaterThan(0);
}, 120_000);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, child: ChildProcess): Promise<void> {
  const began = Date.now();
  while (!condition()) {
    if (child.exitCode !== null) throw new Error(`the child exited with ${child.exitCode}`);
    if (Date.now() - began > 30_000) throw new Error('the child saved nothing in 30 s');
    await sleep(5);
  }
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    child.kill('SIGKILL');
  });
}
