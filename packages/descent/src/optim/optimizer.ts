import {
  allocateState,
  dtypeOf,
  type FloatArray,
  isFloatArray,
  isStateArray,
  type Param,
  type StateArray,
  type StateArrayDType,
  stateArrayDType,
} from '../core/param.js';
import {
  assertSafeKey,
  checkStoredNumber,
  decode,
  describeStored,
  encode,
  isPlainData,
  isRecord,
  type Json,
  type NumberKind,
  numberKinds,
  typeProblem,
} from '../core/serialize.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkKnownOptions, checkOptions } from '../core/validate.js';
import { bfloat16Value } from '../kernels/bfloat16.js';
import { type Moment, momentValues } from '../kernels/moment.js';
import { wasFreed } from '../kernels/wasm/arena.js';
import { batch } from '../kernels/wasm/batch.js';
import { arenaGradient } from '../kernels/wasm/staging.js';
import {
  checkSameStateDtype,
  type MomentSigns,
  momentEntries,
  momentOf,
  momentStorage,
  newMoment,
  type StateDtypeOptions,
} from './state-dtype.js';

/** Per-parameter optimizer state: counters and arrays, as in PyTorch's `optimizer.state[p]`. */
export type ParamState = Record<string, unknown>;

/** A parameter group: its parameters and its hyperparameters, which may be changed between steps. */
export type ParamGroup<O> = O & {
  /** The group's parameters; a step checks that it is still an array of parameters. */
  params: Param[];
} & Record<string, unknown>;

/** What a constructor takes for one group: parameters and any options that differ from the defaults. */
export type GroupInput<O> = Partial<O> & {
  /** The group's parameters, each in no other group. */
  params: Iterable<Param>;
};

/** An optimizer's first argument: parameters, or groups of parameters with their own options. */
export type ParamsInput<O> = Iterable<Param> | Iterable<GroupInput<O>>;

/** Computes the loss, after writing fresh gradients into the parameters. */
export type Closure = () => number;

/**
 * An optimizer's state as plain JSON, in PyTorch's layout (`state_dict()`): what `stateDict`
 * returns and `loadStateDict` takes. Float arrays are stored exactly (their bytes, base64).
 */
export interface StateDict {
  /** Each parameter's state, keyed by its index across the groups, in order. */
  state: Record<string, Json>;
  /**
   * Each group's options, with `params` (its parameters' indices) and, when all have one,
   * `paramNames`.
   */
  paramGroups: Json[];
  /**
   * Each group's own state, in the groups' order, for an optimizer that keeps one (see
   * `GroupState`); absent for the others.
   */
  groupState?: Json[];
}

/**
 * A group's own state: the counters and estimates an optimizer keeps once per group rather than
 * per parameter (Schedule-Free's step count and weight sum, Prodigy's step size d), numbers and
 * flags. PyTorch keeps them among the group's options; here they are apart, so that options stay
 * what the user sets and state what the optimizer computes.
 */
export type GroupState = Record<string, number | boolean>;

/** What one entry of a group's state must be: a number of a kind, or a flag. */
export type GroupStateEntry =
  | {
      /** A number. */
      readonly kind: 'number';
      /** Its kind, from `numberKinds`. */
      readonly number: NumberKind;
    }
  | {
      /** A boolean. */
      readonly kind: 'boolean';
    };

/** Every entry a group's state holds, by key: all are required, and any other key is refused. */
export type GroupStateSpec = Readonly<Record<string, GroupStateEntry>>;

/** Builders of `GroupStateSpec` entries. */
export const groupStateEntry = Object.freeze({
  /** A number of the given kind. */
  number: (number: NumberKind): GroupStateEntry => ({ kind: 'number', number }),
  /** A boolean. */
  flag: { kind: 'boolean' } as GroupStateEntry,
});

/**
 * Checks a group's state against its spec: every entry present and of its kind, no other. The
 * message starts with `problem` ("Invalid state dict" when loading, "Invalid state" before a step)
 * and names the entry at `where`.
 */
function checkGroupState(
  state: unknown,
  spec: GroupStateSpec,
  where: string,
  problem: string,
  owner: string,
): asserts state is GroupState {
  if (!isRecord(state) || isFloatArray(state)) {
    throw new TypeError(`${problem}: ${where} is not an object: ${describeStored(state)}`);
  }
  for (const key of Object.keys(state)) {
    if (!Object.hasOwn(spec, key)) {
      throw new TypeError(`${problem}: ${where}.${key} is not ${owner} group state`);
    }
  }
  for (const [key, entry] of Object.entries(spec)) {
    const value = state[key];
    const at = `${where}.${key}`;
    if (entry.kind === 'boolean') {
      if (typeof value !== 'boolean') {
        throw new TypeError(
          `${problem}: ${at} is missing or not a boolean: ${describeStored(value)}`,
        );
      }
    } else if (typeof value !== 'number') {
      throw new TypeError(`${problem}: ${at} is missing or not a number: ${describeStored(value)}`);
    } else if (!entry.number.accepts(value)) {
      throw new RangeError(`${problem}: ${at} is not ${entry.number.expected}: ${value}`);
    }
  }
}

/**
 * What one entry of a parameter's state must be, as an optimizer's `stateSpec` declares it (made
 * with `stateEntry`). Loading checks every entry of a restored state against its spec, so that a
 * state which loads steps as the saved one would have, and one which does not fit is refused
 * naming the entry.
 */
export type StateEntry = (
  | {
      /** An array of the parameter's element type (or `dtype`) and length (or `length`). */
      readonly kind: 'array';
      /** The length instead of the parameter's (L-BFGS's flat vectors). */
      readonly length?: number;
      /**
       * The element type instead of the parameter's: a moment kept in another `stateDtype`
       * (float32, bfloat16 bits, int8 codes), an int8 moment's float32 scales.
       */
      readonly dtype?: StateArrayDType;
      /**
       * No element below 0 (second moments, sums of squares, step sizes: a square root or a step
       * of a negative one is NaN or uphill). NaN passes, as a NaN gradient puts it there in a
       * real run.
       */
      readonly nonNegative?: boolean;
    }
  | {
      /** A number. */
      readonly kind: 'number';
      /** Its kind, from `numberKinds`: a count, a finite number... */
      readonly number: NumberKind;
    }
  | {
      /** A list (L-BFGS's history). */
      readonly kind: 'list';
      /** What each item must be. */
      readonly of: StateEntry;
    }
) & {
  /** The entry may be absent (made on the step that first needs it). */
  readonly optional?: boolean;
  /** The entry may be null. */
  readonly nullable?: boolean;
};

/** The kinds of number a `stateEntry.number` takes, for optimizers defined outside descent too. */
export { type NumberKind, numberKinds };

/** Every entry a parameter's state may hold, by key; any other key is refused on loading. */
export type StateSpec = Readonly<Record<string, StateEntry>>;

/** Builders of `StateSpec` entries. */
export const stateEntry = Object.freeze({
  /** An array of the parameter's element type and length (or `dtype`, `length`). */
  array: (
    options: { length?: number; nonNegative?: boolean; dtype?: StateArrayDType } = {},
  ): StateEntry => ({
    kind: 'array',
    ...options,
  }),
  /** A number of the given kind. */
  number: (number: NumberKind): StateEntry => ({ kind: 'number', number }),
  /** A step count: an integer >= 0. */
  count: { kind: 'number', number: numberKinds.count } as StateEntry,
  /** A list of entries of one kind. */
  list: (of: StateEntry): StateEntry => ({ kind: 'list', of }),
  /** The entry, or absent. */
  optional: (entry: StateEntry): StateEntry => ({ ...entry, optional: true }),
  /** The entry, or null. */
  orNull: (entry: StateEntry): StateEntry => ({ ...entry, nullable: true }),
});

const nouns = { array: 'an array', number: 'a number', list: 'a list' } as const;

/**
 * Checks a restored state against its spec, before anything changes: no key the spec lacks, every
 * required entry present, each of its kind (see `StateEntry`). `owner` names the optimizer in
 * the message for an unknown key.
 */
export function checkStateSpec(
  p: Param,
  state: ParamState,
  spec: StateSpec,
  where: string,
  owner: string,
): void {
  for (const key of Object.keys(state)) {
    if (!Object.hasOwn(spec, key)) {
      throw new TypeError(`Invalid state dict: ${where}.${key} is not ${owner} state`);
    }
  }
  for (const [key, entry] of Object.entries(spec)) {
    if (Object.hasOwn(state, key)) checkStateEntry(p, state[key], entry, `${where}.${key}`);
    else if (!entry.optional) {
      throw new TypeError(
        `Invalid state dict: ${where}.${key} is missing or ${typeProblem(nouns[entry.kind], entry.nullable)}`,
      );
    }
  }
}

function checkStateEntry(p: Param, value: unknown, entry: StateEntry, where: string): void {
  if (value === null && entry.nullable) return;
  switch (entry.kind) {
    case 'number':
      checkStoredNumber(value, entry.number, where, entry.nullable);
      return;
    case 'array': {
      if (!isStateArray(value)) {
        throw new TypeError(
          `Invalid state dict: ${where} is ${typeProblem('an array', entry.nullable)}: ${describeStored(value)}`,
        );
      }
      // The check a step makes of its state arrays (checkStepState), with the loader's words.
      checkStateArray(p, value, where, entry.length, 'Invalid state dict', entry.dtype);
      // Codes (uint8) index a map, where an unsigned moment's values are all >= 0.
      if (entry.nonNegative && !(value instanceof Uint8Array)) {
        const read = value instanceof Uint16Array ? bfloat16Value : (x: number) => x;
        for (let i = 0; i < value.length; i++) {
          if (read(value[i]) < 0) {
            throw new RangeError(
              `Invalid state dict: ${where}[${i}] is not a number >= 0: ${read(value[i])}`,
            );
          }
        }
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        throw new TypeError(
          `Invalid state dict: ${where} is ${typeProblem('a list', entry.nullable)}: ${describeStored(value)}`,
        );
      }
      value.forEach((item, i) => {
        checkStateEntry(p, item, entry.of, `${where}[${i}]`);
      });
    }
  }
}

/**
 * Base of every optimizer: holds parameter groups and per-parameter state, checks gradients and
 * options before anything changes, and saves and restores state exactly.
 *
 * An elementwise optimizer implements `initState` and `stepParam`; one that couples parameters
 * (Newton, L-BFGS) overrides `stepGroup` or `step`.
 */
export abstract class Optimizer<O extends object> {
  /**
   * Every option the optimizer takes, with its value: the optimizer's defaults overridden by the
   * constructor's options, frozen. A group gets from here any option it does not set.
   */
  readonly defaults: Readonly<O>;
  /** The options a group may set: the keys of the defaults. */
  private readonly optionNames: readonly string[];
  /**
   * What each state entry was when a step last checked it (an array or a number), so that one
   * deleted or replaced since is refused before the step rather than failing halfway through it.
   */
  private readonly stateKinds = new WeakMap<ParamState, [string, 'array' | 'number'][]>();
  /**
   * The parameter groups, each its parameters and every option (PyTorch's `param_groups`). Any
   * option may be changed between steps, as schedulers do; the next step checks it first.
   */
  paramGroups: ParamGroup<O>[] = [];
  /** Each parameter's state, made on its first step (PyTorch's `optimizer.state`). */
  state = new Map<Param, ParamState>();
  /**
   * Each group's own state, for an optimizer that declares `groupStateSpec` (Schedule-Free,
   * Prodigy): made when first needed, by `initGroupState`. Empty for the others.
   */
  groupState = new Map<ParamGroup<O>, GroupState>();
  /** Each parameter's position, found once per step when stochastic rounding needs it. */
  private positions: Map<Param, number> | null = null;

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
    this.checkGroupOptions(merged);
    this.defaults = Object.freeze(merged);
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new RangeError('optimizer got an empty parameter list');
    const groups = isGroup(items[0]) ? items : [{ params: items }];
    const added: ParamGroup<O>[] = [];
    for (const group of groups) added.push(this.makeGroup(group, added));
    this.validateGroups(added);
    this.paramGroups = added;
  }

  /**
   * One group's options (or the defaults) checked, a TypeError or RangeError naming the first
   * invalid one: each against the class's spec (`static spec`: type, range, finiteness), then
   * what the spec cannot say (`validateOptions`).
   */
  protected checkGroupOptions(options: O): void {
    const { spec } = this.constructor as { spec?: AlgorithmSpec };
    if (spec !== undefined) checkOptions(spec.options, options);
    this.validateOptions(options);
  }

  /**
   * What involves several options (lr·weightDecay <= 1, SGD's Nesterov), after each option
   * passed its spec's checks; none by default. Throws a TypeError or RangeError naming it.
   */
  protected validateOptions(_options: O): void {}

  /**
   * Checks what involves several groups, after each passed `validateOptions`: at construction,
   * when a group is added, before a step and on loading. Nothing by default; Prodigy, whose step
   * size is shared by every group, requires the options that make it to agree.
   */
  protected validateGroups(_groups: readonly ParamGroup<O>[]): void {}

  /** Fresh state for a parameter on its first step. */
  protected initState(_param: Param, _group: ParamGroup<O>): ParamState {
    return { step: 0 };
  }

  /**
   * What a parameter's state may hold, entry by entry (see `StateEntry`), in a group with the
   * given options: the one place loading learns what a restored state must be. An optimizer that
   * overrides `initState` overrides this too.
   */
  protected stateSpec(_param: Param, _group: ParamGroup<O>): StateSpec {
    return { step: stateEntry.count };
  }

  /**
   * What a group's own state holds (see `GroupState`), or null, the default: the optimizer keeps
   * none. An optimizer that returns a spec implements `initGroupState`; its state dict then has
   * `groupState`, checked against the spec on loading and before every step.
   */
  protected groupStateSpec(): GroupStateSpec | null {
    return null;
  }

  /** Fresh state for a group, when first needed; see `groupStateSpec`. */
  protected initGroupState(_group: ParamGroup<O>): GroupState {
    throw new Error(`${this.constructor.name} declares group state but no initGroupState`);
  }

  /** The group's own state, made by `initGroupState` when first needed. */
  protected groupStateOf(group: ParamGroup<O>): GroupState {
    let state = this.groupState.get(group);
    if (state === undefined) {
      state = this.initGroupState(group);
      this.groupState.set(group, state);
    }
    return state;
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
    batch(() => {
      for (const p of group.params) {
        if (p.grad === null) continue;
        const grad = arenaGradient(p, p.data, p.grad);
        this.stepParam(p, grad, this.stateOf(p, group), group);
      }
    });
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
    this.positions = null;
    const groupSpec = this.groupStateSpec();
    this.paramGroups.forEach((group, g) => {
      this.checkGroupOptions(group);
      const own = this.groupState.get(group);
      if (groupSpec !== null && own !== undefined) {
        checkGroupState(
          own,
          groupSpec,
          `paramGroups[${g}]'s state`,
          'Invalid state',
          this.constructor.name,
        );
      }
      checkParamList(group.params, `paramGroups[${g}].params`);
      for (const p of group.params) {
        checkParamStorage(p);
        checkGradient(p);
        const state = this.state.get(p);
        if (state !== undefined) this.checkStepState(p, state, group);
      }
    });
    this.validateGroups(this.paramGroups);
  }

  /**
   * A parameter's state as a step will use it: arrays of its type and length (or the length its
   * `stateSpec` entry gives: Adafactor's row and column moments), entries kept.
   */
  private checkStepState(p: Param, state: ParamState, group: ParamGroup<O>): void {
    const kinds = this.stateKinds.get(state);
    if (kinds !== undefined) {
      for (const [key, kind] of kinds) {
        const value = state[key];
        if (kind === 'array' ? !isStateArray(value) : typeof value !== 'number') {
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
      if (isStateArray(value)) {
        if (
          value.constructor !== p.data.constructor ||
          value.length !== p.data.length ||
          wasFreed(value)
        ) {
          // The spec is read only here, off the usual path: most arrays are the parameter's type
          // and length.
          const entry = this.stateSpec(p, group)[key];
          const array: { length?: number; dtype?: StateArrayDType } =
            entry?.kind === 'array' ? entry : {};
          checkStateArray(
            p,
            value,
            key,
            array.length,
            `Invalid state of ${describe(p)}`,
            array.dtype,
          );
          if (wasFreed(value)) {
            throw new TypeError(`Invalid state of ${describe(p)}: ${key} was freed with freeArray`);
          }
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
        if (isStateArray(value)) recorded.push([key, 'array']);
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

  /**
   * Adds a group, for example layers unfrozen while fine-tuning; options it does not set come
   * from `defaults`. A parameter already in a group is a RangeError and an option the optimizer
   * does not take a TypeError, and nothing is added.
   */
  addParamGroup(group: GroupInput<O>): void {
    const added = this.makeGroup(group, this.paramGroups);
    this.validateGroups([...this.paramGroups, added]);
    this.paramGroups.push(added);
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
    return allocateState(dtypeOf(p.data), length) as FloatArray;
  }

  /**
   * A fresh moment's state entries (see state-dtype.ts): an array of zeros (or `fill`) stored as
   * the group's `stateDtype` says, for one of the keys of the class's `moments`.
   */
  protected momentZeros(p: Param, group: ParamGroup<O>, key: string, fill = 0): ParamState {
    return newMoment(p, this.storageOf(p, group), key, this.momentSigns()[key], fill);
  }

  /** What a moment's state entries must be in this group (see `stateSpec`). */
  protected momentSpec(p: Param, group: ParamGroup<O>, key: string): StateSpec {
    const nonNegative = this.momentSigns()[key] === 'unsigned';
    return momentEntries(p, this.storageOf(p, group), key, nonNegative);
  }

  /**
   * A moment as the kernels take it, for this step: its float array, or its bfloat16 or int8
   * storage (with the step's rounding key when bfloat16 is rounded stochastically, from the
   * state's step count).
   * @internal The kernels' type, not the library's.
   */
  protected moment(p: Param, state: ParamState, group: ParamGroup<O>, key: string): Moment {
    const signs = this.momentSigns();
    const options = group as unknown as StateDtypeOptions;
    const storage = this.storageOf(p, group);
    const rounding =
      storage === 'bfloat16' && options.stochasticRounding
        ? {
            seed: options.seed,
            stream: this.positionOf(p),
            step: state.step as number,
            which: Object.keys(signs).indexOf(key),
          }
        : null;
    return momentOf(state, storage, key, signs[key], rounding);
  }

  /**
   * A moment's values as numbers, decoded from its storage: for checks of a loaded state.
   * @internal Beside {@link Optimizer.moment}.
   */
  protected momentValues(
    p: Param,
    state: ParamState,
    group: ParamGroup<O>,
    key: string,
  ): FloatArray {
    return momentValues(this.moment(p, state, group, key), p.data);
  }

  /** How this parameter's moments are stored in this group. */
  private storageOf(p: Param, group: ParamGroup<O>) {
    return momentStorage(p, group as unknown as StateDtypeOptions);
  }

  private momentSigns(): MomentSigns {
    return (this.constructor as { moments?: MomentSigns }).moments ?? {};
  }

  /** The parameter's position across the groups, in order (the state dict's numbering). */
  private positionOf(p: Param): number {
    if (this.positions === null) {
      this.positions = new Map(
        this.paramGroups.flatMap((group) => group.params).map((q, i) => [q, i]),
      );
    }
    return this.positions.get(p) ?? -1;
  }

  /**
   * The bytes of state held: every array of every parameter's state (moments in their
   * `stateDtype`, int8 scales included), so that what a smaller dtype saves can be seen.
   */
  stateBytes(): number {
    let bytes = 0;
    const add = (value: unknown): void => {
      if (isStateArray(value)) bytes += value.byteLength;
      else if (Array.isArray(value)) value.forEach(add);
    };
    for (const state of this.state.values()) Object.values(state).forEach(add);
    return bytes;
  }

  /**
   * State as plain JSON: `{ state: { index: {...} }, paramGroups: [{ ...options, params: [index],
   * paramNames: [name] }] }` with parameters numbered across groups in order, as PyTorch does.
   * `paramNames` (PyTorch 2.x's `param_names`) is there for a group whose parameters all have a
   * name; `loadStateDict` matches state by them.
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
      if (params.length > 0 && params.every((p) => typeof p.name === 'string')) {
        encoded.paramNames = params.map((p) => p.name as string);
      }
      return encoded;
    });
    const state: Record<string, Json> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[String(i)] = encode(s)!;
    }
    if (this.groupStateSpec() === null) return { state, paramGroups };
    const groupState = this.paramGroups.map((group) => encode({ ...this.groupStateOf(group) })!);
    return { state, paramGroups, groupState };
  }

  /**
   * Restores what `stateDict` returned (also after a JSON round trip). Everything is checked
   * first; on any mismatch it throws a TypeError or RangeError naming what does not fit, and the
   * optimizer is left as it was.
   *
   * State goes to parameters as PyTorch sends it: state key i belongs to the parameter at position
   * k of group g where `paramGroups[g].params[k]` is i. When the saved groups name their
   * parameters (`paramNames`) and every parameter of this optimizer has a name, all distinct on
   * both sides, state is matched by name instead: parameters may have been reordered or added
   * (those start afresh), but a saved name the optimizer lacks, or a state array whose length no
   * longer fits its parameter, is refused naming it. Options go to groups by position.
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
    if (!isRecord(savedState) || isFloatArray(savedState)) {
      throw new TypeError(
        `Invalid state dict: state is not an object: ${describeStored(savedState)}`,
      );
    }
    if (savedGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `Invalid state dict: it has ${savedGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`,
      );
    }
    this.paramGroups.forEach((group, g) => {
      checkParamList(group.params, `paramGroups[${g}].params`);
    });
    const saved = readSavedGroups(savedGroups);
    const own = ownNames(this.paramGroups);
    const byName = own !== null && saved.names !== null;
    if (!byName) {
      this.paramGroups.forEach((group, g) => {
        const count = saved.params[g].length;
        if (count !== group.params.length) {
          throw new RangeError(
            `Invalid state dict: paramGroups[${g}] has ${count} parameters, the optimizer's group ${group.params.length}`,
          );
        }
      });
    }
    const indices = checkIndices(saved.params);
    const newGroupState = this.loadedGroupState(stateDict.groupState);
    const newGroups = this.paramGroups.map((group, g) => {
      const merged: Record<string, unknown> = { ...group };
      checkSameStateDtype(
        group.stateDtype,
        (savedGroups[g] as Record<string, unknown>).stateDtype,
        g,
      );
      for (const [key, value] of Object.entries(savedGroups[g] as Record<string, unknown>)) {
        if (key === 'params' || key === 'paramNames') continue;
        if (this.optionNames.includes(key) && !isPlainData(value)) {
          throw new TypeError(
            `Invalid state dict: paramGroups[${g}].${key} is ${describeStored(value)} (expected an option: numbers, booleans, strings or lists of them)`,
          );
        }
        merged[key] = value;
      }
      this.checkGroupOptions(merged as unknown as O);
      return merged as ParamGroup<O>;
    });
    this.validateGroups(newGroups);
    // Saved index -> the parameter it belongs to now, and that parameter's group.
    const targets = new Map<number, { p: Param; g: number }>();
    indices.forEach((list, g) => {
      list.forEach((i, k) => {
        if (!byName) {
          targets.set(i, { p: this.paramGroups[g].params[k], g });
          return;
        }
        const name = saved.names![g][k];
        const target = own!.get(name);
        if (target === undefined) {
          throw new RangeError(
            `Invalid state dict: paramGroups[${g}].paramNames[${k}] is ${JSON.stringify(name)}, which names no parameter of the optimizer`,
          );
        }
        targets.set(i, target);
      });
    });
    const newState = new Map<Param, ParamState>();
    for (const key of Object.keys(savedState)) {
      const target = targets.get(Number(key));
      if (target === undefined || String(Number(key)) !== key) {
        throw new RangeError(
          `Invalid state dict: state key ${JSON.stringify(key)} names no parameter`,
        );
      }
      const entry = savedState[key];
      const where = byName
        ? `state[${key}] (parameter ${JSON.stringify(target.p.name)})`
        : `state[${key}]`;
      if (!isRecord(entry) || isFloatArray(entry)) {
        throw new TypeError(
          `Invalid state dict: ${where} is not an object: ${describeStored(entry)}`,
        );
      }
      this.checkLoadedState(target.p, entry, where, newGroups[target.g]);
      newState.set(target.p, entry);
    }
    for (const state of newState.values()) toStorage(state);
    this.paramGroups = newGroups;
    this.state = newState;
    this.groupState = new Map(newGroupState?.map((state, g) => [newGroups[g], state]));
  }

  /**
   * A state dict's `groupState`, checked against `groupStateSpec`: one entry per group for an
   * optimizer that keeps group state (null for one that keeps none, which refuses any).
   */
  private loadedGroupState(saved: unknown): GroupState[] | null {
    const spec = this.groupStateSpec();
    const owner = this.constructor.name;
    if (spec === null) {
      if (saved === undefined) return null;
      throw new TypeError(`Invalid state dict: groupState, but ${owner} keeps no group state`);
    }
    const list = saved === undefined ? undefined : decode(saved, 'groupState');
    if (!Array.isArray(list) || list.length !== this.paramGroups.length) {
      throw new TypeError(
        `Invalid state dict: groupState is not a list of ${this.paramGroups.length} group states: ${describeStored(list)}`,
      );
    }
    return list.map((state, g) => {
      checkGroupState(state, spec, `groupState[${g}]`, 'Invalid state dict', owner);
      return { ...state };
    });
  }

  /**
   * Checks that restored state fits its parameter in the group it will be stepped with, against
   * `stateSpec`: every entry of its kind, arrays of the parameter's element type and length, no
   * entry the spec lacks. A state that passes can be stepped without failing halfway or turning
   * the parameters into NaN. An optimizer whose entries depend on each other adds those checks.
   */
  protected checkLoadedState(
    p: Param,
    state: ParamState,
    where: string,
    group: ParamGroup<O>,
  ): void {
    checkStateSpec(p, state, this.stateSpec(p, group), where, this.constructor.name);
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
    this.checkGroupOptions(group as O);
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

/** A state dict's groups, as far as they say which parameters they hold. */
interface SavedGroups {
  /** Each group's `params`: the indices of its parameters (checked by `checkIndices`). */
  params: unknown[][];
  /**
   * Each group's `paramNames`, when every group with parameters names them all, distinctly (and
   * there is at least one); else null.
   */
  names: string[][] | null;
}

/** Reads each saved group's `params` and `paramNames`, checking what they are made of. */
function readSavedGroups(groups: unknown[]): SavedGroups {
  const params: unknown[][] = [];
  const names: string[][] = [];
  let named = true;
  groups.forEach((group, g) => {
    if (!isRecord(group) || isFloatArray(group) || !Array.isArray(group.params)) {
      throw new TypeError(`Invalid state dict: paramGroups[${g}] has no params`);
    }
    params.push(group.params);
    if (!('paramNames' in group)) {
      named &&= group.params.length === 0;
      names.push([]);
      return;
    }
    const list = group.paramNames;
    if (!Array.isArray(list)) {
      throw new TypeError(
        `Invalid state dict: paramGroups[${g}].paramNames is not a list: ${describeStored(list)}`,
      );
    }
    if (list.length !== group.params.length) {
      throw new RangeError(
        `Invalid state dict: paramGroups[${g}].paramNames has ${list.length} names for ${group.params.length} parameters`,
      );
    }
    list.forEach((name, k) => {
      if (typeof name !== 'string') {
        throw new TypeError(
          `Invalid state dict: paramGroups[${g}].paramNames[${k}] is not a string: ${describeStored(name)}`,
        );
      }
    });
    names.push(list as string[]);
  });
  const all = names.flat();
  const distinct = all.length > 0 && new Set(all).size === all.length;
  return { params, names: named && distinct ? names : null };
}

/**
 * The saved parameter indices: integers from 0 up to their number, each listed once, so that each
 * belongs to exactly one group and state keys can be mapped by them.
 */
function checkIndices(params: unknown[][]): number[][] {
  const total = params.reduce((sum, list) => sum + list.length, 0);
  const seen = new Map<number, string>();
  params.forEach((list, g) => {
    list.forEach((i, k) => {
      const where = `paramGroups[${g}].params[${k}]`;
      if (typeof i !== 'number') {
        throw new TypeError(
          `Invalid state dict: ${where} is not a parameter index: ${describeStored(i)}`,
        );
      }
      if (!Number.isInteger(i) || i < 0 || i >= total) {
        throw new RangeError(
          `Invalid state dict: ${where} is not a parameter index (an integer in [0, ${total})): ${i}`,
        );
      }
      const first = seen.get(i);
      if (first !== undefined) {
        throw new RangeError(
          `Invalid state dict: ${where} is ${i}, already listed at ${first} (each parameter belongs to one group, once)`,
        );
      }
      seen.set(i, where);
    });
  });
  return params as number[][];
}

/** Every parameter by its name, when all have one and no two share it; else null. */
function ownNames<O>(groups: ParamGroup<O>[]): Map<string, { p: Param; g: number }> | null {
  const byName = new Map<string, { p: Param; g: number }>();
  for (const [g, group] of groups.entries()) {
    for (const p of group.params) {
      if (typeof p.name !== 'string' || byName.has(p.name)) return null;
      byName.set(p.name, { p, g });
    }
  }
  return byName;
}

/** Restored state with its arrays moved to where `zerosLike` would have put them (the arena). */
function toStorage(state: ParamState): ParamState {
  for (const [key, value] of Object.entries(state)) {
    if (isStateArray(value)) {
      const copy = allocateState(stateArrayDType(value), value.length);
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

/**
 * Checks that a state array has the parameter's element type and `length` (by default the
 * parameter's): a RangeError, worded `problem: where is ...`, otherwise.
 */
export function checkStateArray(
  p: Param,
  value: StateArray,
  where: string,
  length = p.data.length,
  problem = 'Invalid state dict',
  dtype: StateArrayDType = dtypeOf(p.data),
): void {
  if (stateArrayDType(value) !== dtype || value.length !== length) {
    throw new RangeError(
      `${problem}: ${where} is a ${stateArrayDType(value)} array of length ${value.length}, expected ${dtype} of length ${length}`,
    );
  }
}
