/**
 * The page's whole state, and its address: `#preset=<lab id>` while it is a preset of the lab,
 * `#s=<JSON>` otherwise, so that any state can be bookmarked or shared and opens the same.
 */
import { functionById } from './functions.js';
import type { RunSettings } from './runs.js';

export interface PlaygroundState {
  /** A function id of functions.ts. */
  fn: string;
  /** Where every run starts (1 or 2 numbers). */
  start: number[];
  /** Steps of every run. */
  steps: number;
  /** The runs, side by side: up to `maxRuns`. */
  runs: RunSettings[];
  /** The 2-D window, when not the function's own. */
  view?: [number, number][];
  /** "Reached the minimum" means f − f_min ≤ tol. */
  tol: number;
  /** The loss plot on a log scale. */
  logLoss: boolean;
  /** The step the state arrows show (0: none). */
  at: number;
  /** The preset this state is, while it is one. */
  preset?: string;
}

/** Runs side by side at most. */
export const maxRuns = 8;
/** Steps of a run at most. */
export const maxSteps = 5000;

/** The state without its preset name, as a canonical string: two states are the same when these are. */
export function canonical(state: PlaygroundState): string {
  const { preset: _, ...rest } = state;
  return JSON.stringify(sorted(rest));
}

/** A copy with every object's keys in order, so that key order does not tell two states apart. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

/** The address of a state: the preset's when it is one unchanged, else the state itself. */
export function toHash(
  state: PlaygroundState,
  presetState?: (id: string) => PlaygroundState,
): string {
  if (state.preset !== undefined && presetState !== undefined) {
    if (canonical(presetState(state.preset)) === canonical(state))
      return `#preset=${encodeURIComponent(state.preset)}`;
  }
  const { preset: _, ...rest } = state;
  return `#s=${encodeURIComponent(JSON.stringify(rest))}`;
}

/** Checks a decoded state's shape, so a mangled address is refused naming what is wrong. */
export function checkState(value: unknown): PlaygroundState {
  const fail = (what: string): never => {
    throw new TypeError(`Invalid address: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a state');
  const s = value as Record<string, unknown>;
  if (typeof s.fn !== 'string') return fail('fn');
  const fn = functionById(s.fn);
  const numbers = (v: unknown, n: number) =>
    Array.isArray(v) &&
    v.length === n &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!numbers(s.start, fn.dim)) fail('start');
  if (!Number.isInteger(s.steps) || (s.steps as number) < 1 || (s.steps as number) > maxSteps)
    fail('steps');
  if (!Array.isArray(s.runs) || s.runs.length > maxRuns) fail('runs');
  for (const r of s.runs as unknown[]) {
    const run = r as Record<string, unknown>;
    if (typeof run !== 'object' || run === null || typeof run.optimizer !== 'string') fail('a run');
    if (typeof run.options !== 'object' || run.options === null) fail('a run’s options');
  }
  if (s.view !== undefined && !(Array.isArray(s.view) && s.view.every((r) => numbers(r, 2))))
    fail('view');
  if (typeof s.tol !== 'number' || !(s.tol > 0)) fail('tol');
  if (typeof s.logLoss !== 'boolean') fail('logLoss');
  if (!Number.isInteger(s.at) || (s.at as number) < 0) fail('at');
  return s as unknown as PlaygroundState;
}

/** The state an address holds: a preset's, a written-out state, or undefined for none. */
export function fromHash(
  hash: string,
  presetState: (id: string) => PlaygroundState,
): PlaygroundState | undefined {
  const text = hash.replace(/^#/, '');
  if (text === '') return undefined;
  const params = new URLSearchParams(text);
  const preset = params.get('preset');
  if (preset !== null) return presetState(preset);
  const s = params.get('s');
  if (s === null) throw new TypeError(`Invalid address: ${JSON.stringify(hash)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch {
    throw new TypeError('Invalid address: not JSON');
  }
  return checkState(parsed);
}
