import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { param } from '../../src/core/param.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import * as schedules from '../../src/schedules/index.js';
import { optimizerClass } from '../optim/reference.js';

/** The functions a fixture names "fn:<name>", as scripts/reference/schedules_torch.py defines them. */
export const functions: Record<string, (x: number) => number> = {
  exp93: (e) => 0.93 ** e,
  warmup8: (e) => Math.min(1, (e + 1) / 8),
  wave: (e) => 1 + 0.5 * Math.sin(e / 3),
  times97: () => 0.97,
  zigzag: (e) => (e % 2 ? 0.8 : 1.1),
  harmonic: (x) => 1 / (1 + 0.1 * x),
};

/** Every group's hyperparameters at one step. */
export interface Snapshot {
  lr: number[];
  momentum?: number[];
  betas?: number[][];
}

export interface SchedulerSpec {
  scheduler: string;
  options?: Record<string, unknown>;
  children?: SchedulerSpec[];
}

/** One sequence written by scripts/reference/schedules_torch.py. */
export interface SchedulerCase extends SchedulerSpec {
  name: string;
  optimizer: string;
  groups: Record<string, unknown>[];
  steps: number;
  /** ReduceLROnPlateau's metric at each step. */
  metrics?: number[];
  /** After construction, then after each step. */
  trajectory: Snapshot[];
  /** OneCycleLR: PyTorch refused one more step. */
  throwsAfterSteps?: boolean;
}

export type AnyScheduler = schedules.LRScheduler | schedules.ReduceLROnPlateau;

/** Schedulers must agree with PyTorch to 1e-12, relative to the largest value of the sequence. */
export const tolerance = 1e-12;

/**
 * Calls `fn` once and requires it to throw an error of exactly the class `type` (a RangeError is
 * not a TypeError, nor is a subclass its class) whose message matches `message` (a string must
 * be the whole message).
 */
export function expectError(
  fn: () => unknown,
  type: ErrorConstructor,
  message: RegExp | string,
): Error {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a ${type.name}`).toBeInstanceOf(type);
  const error = thrown as Error;
  expect(error.constructor, error.message).toBe(type);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  return error;
}

export function loadCases<T>(fixture: string): T[] {
  const url = new URL(`fixtures/${fixture}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).cases;
}

function resolve(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('fn:')) return functions[value.slice(3)];
  if (Array.isArray(value)) return value.map(resolve);
  return value;
}

export function makeOptimizer(c: SchedulerCase): Optimizer<object> {
  const groups = c.groups.map((g) => ({ params: [param(2)], ...structuredClone(g) }));
  return new (optimizerClass(c.optimizer))(groups);
}

export function build(spec: SchedulerSpec, optimizer: Optimizer<object>): AnyScheduler {
  const children = (spec.children ?? []).map((child) => build(child, optimizer));
  const options = Object.fromEntries(
    Object.entries(spec.options ?? {}).map(([key, value]) => [key, resolve(value)]),
  );
  if (spec.scheduler === 'SequentialLR') {
    return new schedules.SequentialLR(optimizer, {
      schedulers: children as schedules.LRScheduler[],
      milestones: options.milestones as number[],
    });
  }
  if (spec.scheduler === 'ChainedScheduler') {
    return new schedules.ChainedScheduler(children as schedules.LRScheduler[]);
  }
  const cls = (schedules as Record<string, unknown>)[spec.scheduler];
  if (typeof cls !== 'function') throw new Error(`descent has no scheduler ${spec.scheduler}`);
  return new (cls as new (o: unknown, options: unknown) => AnyScheduler)(optimizer, options);
}

/** Steps the scheduler as the generator did: after an optimizer step, with the step's metric. */
export function stepCase(c: SchedulerCase, scheduler: AnyScheduler, t: number): void {
  if (scheduler instanceof schedules.ReduceLROnPlateau) scheduler.step(c.metrics![t]);
  else scheduler.step();
}

export function snapshot(optimizer: Optimizer<object>): Snapshot {
  const groups = optimizer.paramGroups as Record<string, unknown>[];
  const out: Snapshot = { lr: groups.map((g) => g.lr as number) };
  if ('momentum' in groups[0]) out.momentum = groups.map((g) => g.momentum as number);
  if ('betas' in groups[0]) out.betas = groups.map((g) => [...(g.betas as number[])]);
  return out;
}

function flat(values: number[] | number[][]): number[] {
  return (values as (number | number[])[]).flat();
}

/** Checks every recorded quantity of a step against the reference, to `tolerance`. */
export function expectSnapshot(c: SchedulerCase, actual: Snapshot, t: number): void {
  const expected = c.trajectory[t];
  for (const key of Object.keys(expected) as (keyof Snapshot)[]) {
    const scale = Math.max(...c.trajectory.flatMap((s) => flat(s[key]!).map(Math.abs)));
    const want = flat(expected[key]!);
    const got = flat(actual[key] ?? []);
    expect(got.length, `${c.name}: step ${t}, ${key}`).toBe(want.length);
    want.forEach((w, i) => {
      const bound = tolerance * Math.max(Math.abs(w), scale);
      expect(
        Math.abs(got[i] - w),
        `${c.name}: step ${t}, ${key}[${i}]: ${got[i]} vs ${w}`,
      ).toBeLessThanOrEqual(bound);
    });
  }
}

/**
 * Replays a case from its spec and checks every step; checks that getLastLr() reports the
 * groups' rates. Returns the optimizer and scheduler after the last step.
 */
export function replay(c: SchedulerCase): {
  optimizer: Optimizer<object>;
  scheduler: AnyScheduler;
} {
  const optimizer = makeOptimizer(c);
  const scheduler = build(c, optimizer);
  const check = (t: number) => {
    const now = snapshot(optimizer);
    expectSnapshot(c, now, t);
    expect(scheduler.getLastLr()).toEqual(now.lr);
  };
  check(0);
  for (let t = 0; t < c.steps; t++) {
    optimizer.step();
    stepCase(c, scheduler, t);
    check(t + 1);
  }
  return { optimizer, scheduler };
}

/**
 * Runs a case to step k, saves optimizer and scheduler as JSON text, restores both into fresh
 * ones built from the spec, and requires the rest of the run to be identical to the bit.
 */
export function expectExactResume(c: SchedulerCase, k = Math.floor(c.steps / 2)): void {
  const optimizer = makeOptimizer(c);
  const scheduler = build(c, optimizer);
  for (let t = 0; t < k; t++) stepCase(c, scheduler, t);
  const saved = JSON.stringify({
    optimizer: optimizer.stateDict(),
    scheduler: scheduler.stateDict(),
  });
  const resumedOptimizer = makeOptimizer(c);
  const resumed = build(c, resumedOptimizer);
  const { optimizer: o, scheduler: s } = JSON.parse(saved);
  resumedOptimizer.loadStateDict(o);
  resumed.loadStateDict(s);
  expect(resumed.getLastLr(), `${c.name}: last lr after loading`).toEqual(scheduler.getLastLr());
  expect(snapshot(resumedOptimizer)).toEqual(snapshot(optimizer));
  for (let t = k; t < c.steps; t++) {
    stepCase(c, scheduler, t);
    stepCase(c, resumed, t);
    expect(snapshot(resumedOptimizer), `${c.name}: step ${t + 1} after resuming at ${k}`).toEqual(
      snapshot(optimizer),
    );
  }
}
