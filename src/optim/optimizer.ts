import { allocate, dtypeOf, type FloatArray, isFloatArray, type Param } from '../core/param.js';
import { assertSafeKey, decode, encode, isRecord, type Json } from '../core/serialize.js';
import { checkKnownOptions } from '../core/validate.js';
import { wasFreed } from '../kernels/wasm/arena.js';
import { beginBatch, endBatch } from '../kernels/wasm/batch.js';
import { arenaGradient } from '../kernels/wasm/staging.js';

/** Per-parameter optimizer state: counters and arrays, as in PyTorch's `optimizer.state[p]`. */
export type ParamState = Record<string, unknown>;

/** A parameter group: its parameters and its hyperparameters, which may be changed between steps. */
export type ParamGroup<O> = O & { params: Param[] } & Record<string, unknown>;

/** What a constructor takes for one group: parameters and any options that differ from the defaults. */
export type GroupInput<O> = Partial<O> & { params: Iterable<Param> } & Record<string, unknown>;

/** An optimizer's first argument: parameters, or groups of parameters with their own options. */
export type ParamsInput<O> = Iterable<Param> | Iterable<GroupInput<O>>;

/** Computes the loss, after writing fresh gradients into the parameters. */
export type Closure = () => number;

export interface StateDict {
  state: Record<string, Json>;
  paramGroups: Json[];
}

/**
 * Base of every optimizer: holds parameter groups and per-parameter state, checks gradients and
 * options before anything changes, and saves and restores state exactly.
 *
 * An elementwise optimizer implements `initState` and `stepParam`; one that couples parameters
 * (Newton, L-BFGS) overrides `stepGroup` or `step`.
 */
export abstract class Optimizer<O extends object> {
  readonly defaults: Readonly<O>;
  /** The options a group may set: the keys of the defaults. */
  private readonly optionNames: readonly string[];
  /**
   * What each state entry was when a step last checked it (an array or a number), so that one
   * deleted or replaced since is refused before the step rather than failing halfway through it.
   */
  private readonly stateKinds = new WeakMap<ParamState, [string, 'array' | 'number'][]>();
  paramGroups: ParamGroup<O>[] = [];
  state = new Map<Param, ParamState>();

  /**
   * `options` override `defaults`, whose keys are the options this optimizer takes: any other is
   * refused, as PyTorch refuses an unexpected keyword argument.
   */
  constructor(params: ParamsInput<O>, options: Partial<O>, defaults: O) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `Invalid options for ${new.target.name}: ${String(options)} (expected an object)`,
      );
    }
    this.optionNames = Object.keys(defaults);
    checkKnownOptions(options, this.optionNames, new.target.name);
    const merged = { ...defaults, ...options };
    this.validateOptions(merged);
    this.defaults = Object.freeze(merged);
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new RangeError('optimizer got an empty parameter list');
    const groups = isGroup(items[0]) ? items : [{ params: items }];
    const added: ParamGroup<O>[] = [];
    for (const group of groups) added.push(this.makeGroup(group, added));
    this.paramGroups = added;
  }

  /** Throws a TypeError or RangeError naming the first invalid option. */
  protected abstract validateOptions(options: O): void;

  /** Fresh state for a parameter on its first step. */
  protected initState(_param: Param, _group: ParamGroup<O>): ParamState {
    return { step: 0 };
  }

  /** Updates one parameter in place from its gradient; called only when `grad` is not null. */
  protected stepParam(
    _param: Param,
    _grad: FloatArray,
    _state: ParamState,
    _group: ParamGroup<O>,
  ): void {
    throw new Error(`${this.constructor.name} must implement stepParam or stepGroup`);
  }

  /**
   * Steps every parameter of a group with a gradient. The kernels' WebAssembly rows wait in one
   * batch and run together at the end (src/kernels/wasm/batch.ts), so a kernel call must be the
   * last thing `stepParam` does with the arrays it is given. A gradient outside the arena is read
   * from its copy there (src/kernels/wasm/staging.ts).
   */
  protected stepGroup(group: ParamGroup<O>): void {
    beginBatch();
    try {
      for (const p of group.params) {
        if (p.grad === null) continue;
        const grad = arenaGradient(p, p.data, p.grad);
        this.stepParam(p, grad, this.stateOf(p, group), group);
      }
    } finally {
      endBatch();
    }
  }

  /**
   * One optimization step. With a closure, calls it first (it recomputes the loss and gradients)
   * and returns the loss. Options and gradients are all checked before any parameter changes.
   */
  step(closure?: Closure): number | undefined {
    const loss = closure === undefined ? undefined : closure();
    this.checkBeforeStep();
    for (const group of this.paramGroups) this.stepGroup(group);
    return loss;
  }

  /**
   * Everything a step relies on, checked before any parameter changes, so that a step either
   * happens whole or throws and changes nothing: each group's options present and in range, each
   * `params` list made of parameters, each gradient and state array of the parameter's type and
   * length, none freed.
   */
  protected checkBeforeStep(): void {
    this.paramGroups.forEach((group, g) => {
      this.validateOptions(group);
      checkParamList(group.params, `paramGroups[${g}].params`);
      for (const p of group.params) {
        checkParamStorage(p);
        checkGradient(p);
        const state = this.state.get(p);
        if (state !== undefined) this.checkStepState(p, state);
      }
    });
  }

  /** A parameter's state as a step will use it: arrays of its type and length, entries kept. */
  private checkStepState(p: Param, state: ParamState): void {
    const kinds = this.stateKinds.get(state);
    if (kinds !== undefined) {
      for (const [key, kind] of kinds) {
        const value = state[key];
        if (kind === 'array' ? !isFloatArray(value) : typeof value !== 'number') {
          const problem =
            value === undefined
              ? 'missing'
              : `no longer a${kind === 'array' ? 'n array' : ' number'}`;
          throw new TypeError(`Invalid state of ${describe(p)}: ${key} is ${problem}`);
        }
      }
    }
    let entries = 0;
    for (const key in state) {
      const value = state[key];
      if (isFloatArray(value)) {
        if (
          value.constructor !== p.data.constructor ||
          value.length !== p.data.length ||
          wasFreed(value)
        ) {
          checkStateArray(p, value, key, p.data.length, `Invalid state of ${describe(p)}`);
          throw new TypeError(`Invalid state of ${describe(p)}: ${key} was freed with freeArray`);
        }
        entries++;
      } else if (typeof value === 'number') {
        entries++;
      } else if (typeof value === 'object' && value !== null) {
        throw new TypeError(
          `Invalid state of ${describe(p)}: ${key} is a ${value.constructor?.name ?? 'object'}, not an array of the parameter's type`,
        );
      }
    }
    // Every recorded entry is there (checked above), so a count that differs means new ones.
    if (entries !== (kinds?.length ?? 0)) {
      const recorded: [string, 'array' | 'number'][] = [];
      for (const key in state) {
        const value = state[key];
        if (isFloatArray(value)) recorded.push([key, 'array']);
        else if (typeof value === 'number') recorded.push([key, 'number']);
      }
      this.stateKinds.set(state, recorded);
    }
  }

  /** Clears gradients: to null (PyTorch's default) or to zeros. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else p.grad?.fill(0);
      }
    }
  }

  addParamGroup(group: GroupInput<O>): void {
    this.paramGroups.push(this.makeGroup(group, this.paramGroups));
  }

  /** The parameter's state, made by `initState` on its first step. */
  protected stateOf(p: Param, group: ParamGroup<O>): ParamState {
    let state = this.state.get(p);
    if (state === undefined) {
      state = this.initState(p, group);
      this.state.set(p, state);
    }
    return state;
  }

  /** Counts a step of the parameter; returns its number, 1 on the first (t in the equations). */
  protected countStep(state: ParamState): number {
    const step = (state.step as number) + 1;
    state.step = step;
    return step;
  }

  /** A zero-filled state array shaped like the parameter, in its element type. */
  protected zerosLike(p: Param, length = p.data.length): FloatArray {
    return allocate(dtypeOf(p.data), length);
  }

  /**
   * State as plain JSON: `{ state: { index: {...} }, paramGroups: [{ ...options, params: [index] }] }`
   * with parameters numbered across groups in order, as PyTorch does.
   */
  stateDict(): StateDict {
    const index = new Map<Param, number>();
    const paramGroups: Json[] = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const encoded = encode(options) as { [key: string]: Json };
      encoded.params = params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return encoded;
    });
    const state: Record<string, Json> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[String(i)] = encode(s)!;
    }
    return { state, paramGroups };
  }

  /**
   * Restores what `stateDict` returned (also after a JSON round trip). Everything is checked
   * first; on any mismatch it throws and the optimizer is left as it was.
   */
  loadStateDict(stateDict: unknown): void {
    if (
      !isRecord(stateDict) ||
      !isRecord(stateDict.state) ||
      !Array.isArray(stateDict.paramGroups)
    ) {
      throw new TypeError('Invalid state dict: expected { state, paramGroups }');
    }
    const savedGroups = decode(stateDict.paramGroups, 'paramGroups') as unknown[];
    const savedState = decode(stateDict.state, 'state') as Record<string, unknown>;
    if (savedGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `Invalid state dict: it has ${savedGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`,
      );
    }
    const params: Param[] = [];
    const groupOf: ParamGroup<O>[] = [];
    const newGroups = this.paramGroups.map((group, g) => {
      const saved = savedGroups[g];
      if (!isRecord(saved) || !Array.isArray(saved.params)) {
        throw new TypeError(`Invalid state dict: paramGroups[${g}] has no params`);
      }
      if (saved.params.length !== group.params.length) {
        throw new RangeError(
          `Invalid state dict: paramGroups[${g}] has ${saved.params.length} parameters, the optimizer's group ${group.params.length}`,
        );
      }
      const merged: Record<string, unknown> = { ...group };
      for (const [key, value] of Object.entries(saved)) {
        if (key !== 'params') merged[key] = value;
      }
      this.validateOptions(merged as unknown as O);
      params.push(...group.params);
      for (const _ of group.params) groupOf.push(merged as ParamGroup<O>);
      return merged as ParamGroup<O>;
    });
    const newState = new Map<Param, ParamState>();
    for (const key of Object.keys(savedState)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= params.length || String(i) !== key) {
        throw new RangeError(
          `Invalid state dict: state key ${JSON.stringify(key)} names no parameter`,
        );
      }
      const entry = savedState[key];
      if (!isRecord(entry))
        throw new TypeError(`Invalid state dict: state[${key}] is not an object`);
      this.checkLoadedState(params[i], entry, `state[${key}]`, groupOf[i]);
      newState.set(params[i], toStorage(entry));
    }
    this.paramGroups = newGroups;
    this.state = newState;
  }

  /**
   * Checks that restored state fits its parameter: it has every entry a fresh state has, of the
   * same kind, and every array matches the parameter's element type and length. A state that
   * passes can be stepped without failing halfway.
   */
  protected checkLoadedState(
    p: Param,
    state: ParamState,
    where: string,
    group?: ParamGroup<O>,
  ): void {
    if (group !== undefined) {
      for (const [key, fresh] of Object.entries(this.initState(p, group))) {
        const value = state[key];
        if (
          isFloatArray(fresh)
            ? !isFloatArray(value)
            : typeof fresh === 'number' && typeof value !== 'number'
        ) {
          throw new TypeError(
            `Invalid state dict: ${where}.${key} is missing or not a${isFloatArray(fresh) ? 'n array' : ' number'}`,
          );
        }
      }
    }
    for (const [key, value] of Object.entries(state)) {
      if (isFloatArray(value)) checkStateArray(p, value, `${where}.${key}`);
      else if (typeof value !== 'number' && typeof value !== 'boolean' && value !== null) {
        throw new TypeError(`Invalid state dict: ${where}.${key} is neither a number nor an array`);
      }
    }
  }

  private makeGroup(input: unknown, existing: ParamGroup<O>[]): ParamGroup<O> {
    if (!isGroup(input)) {
      throw new TypeError('Invalid parameter group: expected an object with params');
    }
    const params = [...(input.params as Iterable<unknown>)];
    const seen = new Set<Param>(existing.flatMap((group) => group.params));
    for (const [i, p] of params.entries()) {
      if (!isParam(p)) {
        throw new TypeError(
          `Invalid parameter at index ${i}: expected { data: Float32Array | Float64Array, grad }`,
        );
      }
      if (seen.has(p))
        throw new RangeError('some parameters appear in more than one parameter group');
      seen.add(p);
    }
    checkKnownOptions(
      input,
      [...this.optionNames, 'params'],
      `${this.constructor.name}'s parameter group`,
    );
    const group: Record<string, unknown> = { ...this.defaults };
    for (const [key, value] of Object.entries(input)) {
      assertSafeKey(key, 'parameter group');
      if (key !== 'params' && value !== undefined) group[key] = value;
    }
    // Each group owns its arrays (betas, etas), so writing `group.betas[0]`, as a scheduler
    // cycling momentum may, changes that group alone and neither the defaults nor the caller's.
    for (const [key, value] of Object.entries(group)) {
      if (Array.isArray(value)) group[key] = [...value];
    }
    this.validateOptions(group as O);
    group.params = params;
    return group as ParamGroup<O>;
  }
}

function isGroup(value: unknown): value is { params: Iterable<unknown> } & Record<string, unknown> {
  return (
    isRecord(value) &&
    !isFloatArray(value.data) &&
    value.params !== null &&
    typeof value.params === 'object'
  );
}

function isParam(value: unknown): value is Param {
  return (
    isRecord(value) && isFloatArray(value.data) && (value.grad === null || isFloatArray(value.grad))
  );
}

/** Restored state with its arrays moved to where `zerosLike` would have put them (the arena). */
function toStorage(state: ParamState): ParamState {
  for (const [key, value] of Object.entries(state)) {
    if (isFloatArray(value)) {
      const copy = allocate(dtypeOf(value), value.length);
      copy.set(value);
      state[key] = copy;
    }
  }
  return state;
}

function describe(p: Param): string {
  return p.name === undefined
    ? `a parameter of length ${p.data.length}`
    : `parameter ${JSON.stringify(p.name)}`;
}

/** A group's `params`, as a step finds them: an array of parameters (it may have been replaced). */
function checkParamList(params: unknown, where: string): void {
  if (!Array.isArray(params)) {
    throw new TypeError(
      `Invalid ${where}: expected an array of parameters, got ${describeValue(params)}`,
    );
  }
  params.forEach((p, i) => {
    if (!isParam(p)) {
      throw new TypeError(
        `Invalid ${where}[${i}]: expected a parameter { data: Float32Array | Float64Array, grad }, got ${describeValue(p)}`,
      );
    }
  });
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object')
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `a ${value.constructor?.name ?? 'object'}`;
}

/** A parameter whose data `freeArray` returned cannot be stepped: the block may be another's. */
function checkParamStorage(p: Param): void {
  if (wasFreed(p.data)) {
    throw new TypeError(`Invalid ${describe(p)}: its data was freed with freeArray`);
  }
  if (p.grad !== null && isFloatArray(p.grad) && wasFreed(p.grad)) {
    throw new TypeError(`Invalid gradient for ${describe(p)}: it was freed with freeArray`);
  }
}

/**
 * The gradient, when present, must have the parameter's element type and length, and must not
 * partly overlap the parameter's values: the kernels read both as they write, and a shifted
 * overlap would give the WebAssembly and the TypeScript kernels different results. (The same
 * array for both is allowed: each element is read before it is written.)
 */
export function checkGradient(p: Param): void {
  const grad = p.grad as unknown;
  if (grad === null || grad === undefined) return;
  if (!isFloatArray(grad) || dtypeOf(grad) !== dtypeOf(p.data)) {
    throw new TypeError(
      `Invalid gradient for ${describe(p)}: expected a ${p.data.constructor.name}, got ${(grad as object)?.constructor?.name ?? typeof grad}`,
    );
  }
  if (grad.length !== p.data.length) {
    throw new RangeError(
      `Invalid gradient for ${describe(p)}: length ${grad.length}, expected ${p.data.length}`,
    );
  }
  const data = p.data;
  if (grad.buffer === data.buffer && grad.byteOffset !== data.byteOffset) {
    const gradEnd = grad.byteOffset + grad.byteLength;
    const dataEnd = data.byteOffset + data.byteLength;
    if (grad.byteOffset < dataEnd && data.byteOffset < gradEnd) {
      throw new RangeError(
        `Invalid gradient for ${describe(p)}: it partly overlaps the parameter's data in memory (bytes ${grad.byteOffset}–${gradEnd} and ${data.byteOffset}–${dataEnd} of one buffer)`,
      );
    }
  }
}

export function checkStateArray(
  p: Param,
  value: FloatArray,
  where: string,
  length = p.data.length,
  problem = 'Invalid state dict',
): void {
  if (dtypeOf(value) !== dtypeOf(p.data) || value.length !== length) {
    throw new RangeError(
      `${problem}: ${where} is a ${dtypeOf(value)} array of length ${value.length}, expected ${dtypeOf(p.data)} of length ${length}`,
    );
  }
}
