import type { DType, FloatArray, Param, ParamOptions } from '../../../src/core/param.js';
import type { SimdInfo, SimdOptions } from '../../../src/kernels/wasm/index.js';
import type { Optimizer, StateDict } from '../../../src/optim/optimizer.js';

/**
 * The interpreter of the differential suite (differential.test.ts): it executes a run, a training
 * run described by plain JSON (`RunSpec`), one step at a time, and records a digest of every
 * parameter's bits after every step. The same code runs in the test's process and, transpiled,
 * in fresh child processes (child.ts); it imports descent only as types and is handed the library
 * (`Lib`), so each side uses its own copy of src/.
 */

/** What the runner uses of descent: src/index.ts, as the test or a child process loaded it. */
export interface Lib {
  param(init: number | ArrayLike<number>, options?: ParamOptions): Param<FloatArray>;
  configureSimd(options: SimdOptions): void;
  simdInfo(): SimdInfo;
}

/**
 * Where a tensor's arrays live: `arena`, made by `param()`; `plain`, ordinary typed arrays the
 * user made (`{ data: new Float32Array(n), grad: new Float32Array(n) }`), stepped by the
 * TypeScript kernels inside a batch of WebAssembly rows; `plainGrad`, data from `param()` but a
 * gradient the user allocated, which the optimizer copies into the arena before each step
 * (src/kernels/wasm/staging.ts).
 */
export type Storage = 'arena' | 'plain' | 'plainGrad';

export interface TensorSpec {
  n: number;
  dtype: DType;
  storage: Storage;
}

export interface GroupSpec {
  tensors: TensorSpec[];
  /** Options of this group that differ from the optimizer's. */
  options: Record<string, unknown>;
}

/** One logical training run: everything that decides its numbers, nothing that should not. */
export interface RunSpec {
  optimizer: string;
  options: Record<string, unknown>;
  groups: GroupSpec[];
  steps: number;
  seed: number;
  /**
   * Values in [-2, 2] and gradients from a seeded generator. `noise`: gradients of magnitude 1 to
   * 4 (and one exactly 0 per step in a tensor of 4 or more), so that weight decay never cancels
   * them and the kernels' float32 rounding stays within the reference tolerance. `wide`:
   * gradients of any magnitude from 2^-20 to 8, compared bit for bit only (a gradient cancelling
   * against its weight decay, or Yogi's sign(g² − v) at a tie, turns a rounding into any
   * difference). `trig`: the regression repro's, x = cos(i + k), g_t = sin(0.001 i + 0.7 t + k)
   * for tensor k.
   */
  values: 'noise' | 'wide' | 'trig';
  /** Some tensors have a null gradient at some steps (skipped, as PyTorch does). */
  skips: boolean;
  /** Every group's lr is multiplied by 0.9 after each step (a scheduler's change). */
  decay: boolean;
  /**
   * Before each step, as schedulers and users do: momentum (when on) and betas[0] cycle through
   * 0.85, 0.9, 0.95; weight decay (when set) is off at odd steps, so the kernels switch between
   * their usual and their rare loop; maximize flips every fourth step.
   */
  cycle: boolean;
  /**
   * Halfway through (step ⌈steps / 2⌉, counting from 0), the last group, held back until then,
   * joins by `addParamGroup`, and state made on demand is switched on: SGD's momentum, RMSprop's
   * momentum and centering, Adam's AMSGrad.
   */
  late: boolean;
}

/** One step's digests, one per tensor in group order (16 hex digits, two 32-bit hashes). */
export type StepDigests = string[];

export interface RunResult {
  steps: StepDigests[];
  /** A digest of `JSON.stringify(stateDict())` at the end: every state bit and group option. */
  state: string;
}

type OptimizerClass = new (params: unknown, options?: unknown) => Optimizer<object>;

export function optimizerClassOf(lib: Lib, name: string): OptimizerClass {
  const cls = (lib as unknown as Record<string, unknown>)[name];
  if (typeof cls !== 'function') throw new Error(`descent has no optimizer ${name}`);
  return cls as OptimizerClass;
}

/** mulberry32: a small deterministic generator of uniforms in [0, 1). */
export function uniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A 32-bit mix of a few integers, for deriving seeds. */
export function mix(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Two independent 32-bit hashes of an array's bytes (as 32-bit words), in hex. */
export function digest(array: FloatArray): string {
  const words = new Uint32Array(array.buffer, array.byteOffset, array.byteLength / 4);
  let a = 0x811c9dc5 ^ words.length;
  let b = 0x9747b28c;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    a = Math.imul(a ^ w, 0x01000193);
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b ^= Math.imul(k, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  b ^= b >>> 16;
  b = Math.imul(b, 0x85ebca6b);
  b ^= b >>> 13;
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export function digestString(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4 + 4);
  padded.set(bytes);
  new DataView(padded.buffer).setUint32(padded.length - 4, bytes.length, true);
  return digest(new Float32Array(padded.buffer));
}

/**
 * A digest of plain JSON data, as of its JSON text but without making it: L-BFGS's state over
 * a million elements, its history included, is longer than a JavaScript string can be.
 */
export function digestJson(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      parts.push('[');
      v.forEach(walk);
      parts.push(']');
    } else if (v !== null && typeof v === 'object') {
      parts.push('{');
      for (const [key, item] of Object.entries(v)) {
        parts.push(JSON.stringify(key));
        walk(item);
      }
      parts.push('}');
    } else {
      const text = JSON.stringify(v) ?? 'undefined';
      parts.push(text.length > 64 ? digestString(text) : text);
    }
  };
  walk(value);
  return digestString(parts.join(','));
}

/** The flattened tensors of a spec, with their group. */
function tensorsOf(spec: RunSpec): TensorSpec[] {
  return spec.groups.flatMap((g) => g.tensors);
}

function initialValues(spec: RunSpec, k: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (spec.values === 'trig') {
    for (let i = 0; i < n; i++) out[i] = Math.cos(i + k);
  } else {
    const next = uniforms(mix(spec.seed, k, 0xdead));
    for (let i = 0; i < n; i++) out[i] = 4 * next() - 2;
  }
  return out;
}

function fillGradient(spec: RunSpec, grad: FloatArray, k: number, t: number): void {
  const n = grad.length;
  if (spec.values === 'trig') {
    for (let i = 0; i < n; i++) grad[i] = Math.sin(0.001 * i + 0.7 * t + k);
    return;
  }
  const next = uniforms(mix(spec.seed, k, t, 0xbeef));
  if (spec.values === 'noise') {
    // Magnitudes in [1, 1.5] at even steps, [3, 4] at odd ones, either sign: successive gradients
    // of an element always differ, so that neither RMSprop's centered v − m² nor Yogi's g² − v
    // cancels (either turns a float32 rounding into far more than the tolerance).
    const [lo, width] = t % 2 === 0 ? [1, 0.5] : [3, 1];
    for (let i = 0; i < n; i++) {
      const u = 2 * next();
      grad[i] = u < 1 ? -lo - width * u : lo + width * (u - 1);
    }
  } else {
    // A scale per tensor and step, from 2^-20 to 8.
    const scale = 2 ** (Math.floor(next() * 24) - 20);
    for (let i = 0; i < n; i++) grad[i] = scale * (2 * next() - 1);
  }
  // An exact zero (Rprop's third branch), where it leaves other elements a real gradient.
  if (n >= 4) grad[Math.floor(next() * n)] = 0;
}

function skipped(spec: RunSpec, k: number, t: number): boolean {
  return spec.skips && mix(spec.seed, k, t, 0x5eed) % 5 === 0;
}

function makeTensor(lib: Lib, spec: TensorSpec, values: ArrayLike<number>): Param<FloatArray> {
  if (spec.storage === 'plain') {
    const Ctor = spec.dtype === 'float64' ? Float64Array : Float32Array;
    const p = { data: new Ctor(spec.n), grad: new Ctor(spec.n) };
    p.data.set(values);
    return p;
  }
  const p = lib.param(
    spec.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values),
  );
  if (spec.storage === 'plainGrad') {
    p.grad = spec.dtype === 'float64' ? new Float64Array(spec.n) : new Float32Array(spec.n);
  }
  return p;
}

/**
 * A run being executed: its parameters and optimizer (both dropped when it ends, so the garbage
 * collector can return their arena blocks), the step it is at and what it recorded.
 */
export class Execution {
  readonly spec: RunSpec;
  private readonly lib: Lib;
  params: Param[] = [];
  /** Each tensor's gradient array, kept while a step gives the tensor a null gradient. */
  private grads: FloatArray[] = [];
  optimizer: Optimizer<object> | null = null;
  t = 0;
  readonly steps: StepDigests[] = [];
  /** Called after each step with the step's index (0-based) and its digests. */
  onStep: ((t: number, digests: StepDigests) => void) | null = null;

  constructor(lib: Lib, spec: RunSpec) {
    this.lib = lib;
    this.spec = spec;
  }

  get done(): boolean {
    return this.t >= this.spec.steps;
  }

  get started(): boolean {
    return this.optimizer !== null;
  }

  /** The step at which `late` takes effect; Infinity without it. */
  private get halfway(): number {
    const { late, optimizer, steps } = this.spec;
    return late && optimizer !== 'LBFGS' ? Math.ceil(steps / 2) : Number.POSITIVE_INFINITY;
  }

  /** Each group's weight decay as constructed, which `cycle` switches off and on again. */
  private weightDecays: unknown[] = [];

  private groupInputs(): Record<string, unknown>[] {
    let k = 0;
    return this.spec.groups.map((g) => ({
      ...structuredClone(g.options),
      params: g.tensors.map(() => this.params[k++]),
    }));
  }

  private build(values: (k: number, n: number) => ArrayLike<number>): void {
    const specs = tensorsOf(this.spec);
    const made = specs.map((s, k) => makeTensor(this.lib, s, values(k, s.n)));
    this.grads = made.map((p) => p.grad);
    this.params = made;
    const groups = this.groupInputs();
    // The last group is held back until halfway (`late`), when there are two or more.
    if (groups.length > 1 && this.t <= this.halfway && this.halfway < Number.POSITIVE_INFINITY) {
      groups.pop();
    }
    const Cls = optimizerClassOf(this.lib, this.spec.optimizer);
    this.optimizer = new Cls(groups, structuredClone(this.spec.options));
  }

  /** What `cycle` and `late` change before step t. */
  private schedule(t: number): void {
    const optimizer = this.optimizer!;
    if (t === this.halfway) {
      const groups = this.groupInputs();
      if (groups.length > optimizer.paramGroups.length) {
        optimizer.addParamGroup(groups[groups.length - 1] as never);
      }
      for (const group of optimizer.paramGroups) {
        if (this.spec.optimizer === 'SGD' && group.momentum === 0) group.momentum = 0.5;
        if (this.spec.optimizer === 'RMSprop') {
          group.centered = true;
          if (group.momentum === 0) group.momentum = 0.5;
        }
        if ('amsgrad' in group) group.amsgrad = true;
      }
    }
    if (!this.spec.cycle) return;
    optimizer.paramGroups.forEach((group, g) => {
      const phase = [0.85, 0.9, 0.95][t % 3];
      if (typeof group.momentum === 'number' && group.momentum > 0) group.momentum = phase;
      if (Array.isArray(group.betas)) group.betas[0] = phase;
      if (typeof group.weightDecay === 'number') {
        this.weightDecays[g] ??= group.weightDecay;
        group.weightDecay = t % 2 === 1 ? 0 : this.weightDecays[g];
      }
      if (typeof group.maximize === 'boolean' && t % 4 === 3) group.maximize = !group.maximize;
    });
  }

  start(): void {
    this.build((k, n) => initialValues(this.spec, k, n));
  }

  /** One step: gradients for step t, the optimizer's step, the digests. */
  step(): StepDigests {
    if (!this.started) this.start();
    const t = this.t;
    this.schedule(t);
    if (this.spec.optimizer === 'LBFGS') {
      this.optimizer!.step(() => this.quadratic(t));
    } else {
      this.params.forEach((p, k) => {
        const grad = this.grads[k];
        fillGradient(this.spec, grad, k, t);
        p.grad = skipped(this.spec, k, t) ? null : grad;
      });
      this.optimizer!.step();
    }
    if (this.spec.decay) {
      for (const group of this.optimizer!.paramGroups) group.lr = (group.lr as number) * 0.9;
    }
    const digests = this.params.map((p) => digest(p.data));
    this.steps.push(digests);
    this.t++;
    this.onStep?.(t, digests);
    return digests;
  }

  /** Curvatures and minima of L-BFGS's objective, per tensor, from the seed. */
  private bowl: { a: Float64Array; c: Float64Array }[] | null = null;

  /**
   * L-BFGS's closure: f = Σ a_i (x_i − c_i)² / 2 over every tensor, a_i in [0.5, 2], its gradient
   * written into the parameters (null for a tensor skipped at this step).
   */
  private quadratic(t: number): number {
    this.bowl ??= tensorsOf(this.spec).map((s, k) => {
      const next = uniforms(mix(this.spec.seed, k, 0xb0e1));
      const a = Float64Array.from({ length: s.n }, () => 0.5 + 1.5 * next());
      return { a, c: Float64Array.from({ length: s.n }, () => 2 * next() - 1) };
    });
    let loss = 0;
    this.params.forEach((p, k) => {
      const { a, c } = this.bowl![k];
      const grad = this.grads[k];
      for (let i = 0; i < grad.length; i++) {
        const d = p.data[i] - c[i];
        loss += 0.5 * a[i] * d * d;
        grad[i] = a[i] * d;
      }
      p.grad = skipped(this.spec, k, t) ? null : grad;
    });
    return loss;
  }

  /**
   * Saves the state, optionally through JSON text, and continues on a fresh optimizer over fresh
   * parameters holding copies of the values: what resuming from a checkpoint does.
   */
  reload(json: boolean): void {
    if (!this.started) return;
    let saved: StateDict = this.optimizer!.stateDict();
    if (json) saved = JSON.parse(JSON.stringify(saved));
    const old = this.params;
    this.optimizer = null;
    this.build((k) => old[k].data);
    this.optimizer!.loadStateDict(saved);
  }

  /** Drops the parameters and optimizer; the run cannot go on. */
  drop(): void {
    this.params = [];
    this.grads = [];
    this.optimizer = null;
  }

  stateDigest(): string {
    return digestJson(this.optimizer!.stateDict());
  }

  /** Runs to the end, straight, and drops everything. */
  finish(): RunResult {
    while (!this.done) this.step();
    const state = this.stateDigest();
    this.drop();
    return { steps: this.steps, state };
  }
}

/** Executes a run straight through, as a fresh process does. */
export function runStraight(lib: Lib, spec: RunSpec): RunResult {
  return new Execution(lib, spec).finish();
}

/** What a child process is asked: one run, under a thread configuration. */
export interface ChildRequest {
  spec: RunSpec;
  threads: number;
  parallelThreshold: number;
}

export interface ChildResponse extends RunResult {
  /** The child's simdInfo() afterwards: shows whether it really ran in WebAssembly, on threads. */
  info: SimdInfo;
}

export function serveChild(lib: Lib, request: ChildRequest): ChildResponse {
  lib.configureSimd({ threads: request.threads, parallelThreshold: request.parallelThreshold });
  const result = runStraight(lib, request.spec);
  return { ...result, info: lib.simdInfo() };
}
