import { isFloatArray } from '../core/param.js';
import {
  checkStoredNumber,
  decode,
  describeStored,
  encode,
  isPlainData,
  isRecord,
  type Json,
  type NumberKind,
  numberKinds,
} from '../core/serialize.js';
import { checkBoolean, checkInRange, checkKnownOptions, checkNumber } from '../core/validate.js';

/**
 * What a scheduler needs of an optimizer: parameter groups (plain objects with `lr`, and
 * `momentum` or `betas` for momentum cycling) and defaults. Every descent optimizer qualifies.
 * Schedulers read `optimizer.paramGroups` afresh at every step, so loading the optimizer's state
 * (which replaces the group objects) keeps them attached.
 */
export interface SchedulableOptimizer {
  /** The groups whose `lr` (and momentum) the scheduler writes; each must have a numeric `lr`. */
  paramGroups: Record<string, unknown>[];
  /** The optimizer's options: momentum cycling looks here for `betas` or `momentum`. */
  readonly defaults: object;
}

/** A scheduler's state as plain JSON: its options (functions left out) and its counters. */
export type SchedulerStateDict = { [key: string]: Json };

export function checkOptimizer(optimizer: unknown): SchedulableOptimizer {
  if (
    !isRecord(optimizer) ||
    !Array.isArray(optimizer.paramGroups) ||
    !isRecord(optimizer.defaults) ||
    !optimizer.paramGroups.every((g) => isRecord(g) && typeof g.lr === 'number')
  ) {
    throw new TypeError(
      `Invalid optimizer: ${String(optimizer)} (expected an optimizer whose paramGroups have a numeric lr)`,
    );
  }
  return optimizer as unknown as SchedulableOptimizer;
}

/**
 * Every option of a scheduler with its default, required ones as undefined; the compiler
 * requires every option of `T` to be listed, so this one object is the list of valid names.
 */
export type OptionDefaults<T> = { readonly [K in keyof Required<T>]: T[K] | undefined };

/**
 * Options with defaults filled in. First, any option that is not in `defaults` is refused with a
 * TypeError naming it and the closest valid name ("Unknown option TMaxx for CosineAnnealingLR
 * (did you mean TMax?)"), as PyTorch refuses an unexpected keyword argument; so a required
 * option under a wrong name is reported as that, not as missing. An option given as undefined
 * takes its default, as optimizer options do; required options have no default and fail
 * validation when missing.
 */
export function resolveOptions<T extends object>(
  owner: string,
  defaults: NoInfer<OptionDefaults<T>>,
  given: T | undefined,
): Required<T> {
  checkKnownOptions(given ?? {}, Object.keys(defaults), owner);
  const options: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value !== undefined) options[key] = value;
  }
  return options as Required<T>;
}

/**
 * A factor in (0, 1]: ConstantLR and LinearLR divide by it, so also one whose reciprocal is finite
 * (not below 1/Number.MAX_VALUE, about 5.6e-309), or the rate they restore is infinite.
 */
export function checkUnitFactor(option: string, value: unknown): number {
  const factor = checkNumber(option, value);
  if (!(factor > 0 && factor <= 1)) {
    throw new RangeError(`Invalid ${option}: ${factor} (expected in (0, 1])`);
  }
  if (!Number.isFinite(1 / factor)) {
    throw new RangeError(
      `Invalid ${option}: ${factor} (expected in (0, 1] with 1/${option} finite: the scheduler divides by it)`,
    );
  }
  return factor;
}

/**
 * What a function given as an option (a lambda, a scale, a schedule) returned at `at`: a finite
 * number, since it becomes a rate or a factor of one; else a TypeError or RangeError naming it.
 */
export function checkReturned(option: string, value: unknown, at: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `Invalid ${option}: returned ${String(value)} at ${at} (expected a number)`,
    );
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `Invalid ${option}: returned ${value} at ${at} (expected a finite number)`,
    );
  }
  return value;
}

/**
 * The rate each group holds under `keyOf(group)` (lr, or initialLr), of `kind`: a scheduler starts
 * from these and keeps them in its state dict, whose loading checks them against the same kind.
 */
export function checkGroupRates(
  optimizer: SchedulableOptimizer,
  keyOf: (group: Record<string, unknown>) => string,
  kind: NumberKind,
): void {
  optimizer.paramGroups.forEach((group, i) => {
    const key = keyOf(group);
    const value = group[key];
    if (typeof value !== 'number' || !kind.accepts(value)) {
      const Refusal = typeof value === 'number' && !Number.isNaN(value) ? RangeError : TypeError;
      throw new Refusal(
        `Invalid ${key} in parameter group ${i}: ${String(value)} (expected ${kind.expected})`,
      );
    }
  });
}

export function groupLrs(optimizer: SchedulableOptimizer): number[] {
  return optimizer.paramGroups.map((group) => group.lr as number);
}

/**
 * An option given once for every group or as a list with one entry per group (PyTorch's
 * `_format_param`); `check` checks and returns each entry, named `option` or `option[i]`.
 */
export function perGroup<T>(
  option: string,
  value: unknown,
  optimizer: SchedulableOptimizer,
  check: (name: string, entry: unknown) => T,
): T[] {
  const count = optimizer.paramGroups.length;
  if (!Array.isArray(value)) {
    const entry = check(option, value);
    return Array.from({ length: count }, () => entry);
  }
  if (value.length !== count) {
    throw new RangeError(
      `Invalid ${option}: ${value.length} values for ${count} parameter groups (expected one per group)`,
    );
  }
  return value.map((entry, i) => check(`${option}[${i}]`, entry));
}

/** Validated numbers given once or per group, one per group (for instance `maxLr` at each step). */
export function numbersPerGroup(
  option: string,
  value: number | readonly number[],
  optimizer: SchedulableOptimizer,
): number[] {
  return perGroup(option, value, optimizer, (_, entry) => entry as number);
}

/**
 * Where momentum cycling writes: `betas[0]` when the optimizer has betas (the Adam family),
 * else `momentum`, as PyTorch 2.x decides (`'betas' in optimizer.defaults`).
 */
export type MomentumKey = 'momentum' | 'betas';

export function momentumKey(optimizer: SchedulableOptimizer, option: string): MomentumKey {
  if ('betas' in optimizer.defaults) return 'betas';
  if ('momentum' in optimizer.defaults) return 'momentum';
  throw new TypeError(
    `Invalid ${option}: true (the optimizer has neither momentum nor betas to cycle)`,
  );
}

/** Writes momentum; betas get a new array, since groups may share the one they were given. */
export function setMomentum(group: Record<string, unknown>, key: MomentumKey, value: number): void {
  if (key === 'betas') group.betas = [value, ...(group.betas as number[]).slice(1)];
  else group.momentum = value;
}

/** The options of a scheduler that cycles momentum inversely to the rate (CyclicLR, OneCycleLR). */
export interface CycleMomentumOptions {
  cycleMomentum: boolean;
  baseMomentum: number | readonly number[];
  maxMomentum: number | readonly number[];
}

/**
 * With cycleMomentum, the momenta written must be ones the optimizer takes: in [0, 1] for
 * `momentum` (SGD, RMSprop), in [0, 1) for `betas[0]` (the Adam family); without, they are unused.
 */
export function checkCycleMomentum(o: CycleMomentumOptions, optimizer: SchedulableOptimizer): void {
  checkBoolean('cycleMomentum', o.cycleMomentum);
  if (o.cycleMomentum) {
    const closed = momentumKey(optimizer, 'cycleMomentum') === 'momentum';
    const check = (option: string, value: unknown) => checkInRange(option, value, 0, 1, { closed });
    perGroup('baseMomentum', o.baseMomentum, optimizer, check);
    perGroup('maxMomentum', o.maxMomentum, optimizer, check);
  }
}

/** Starts momentum at maxMomentum and records both bounds on the groups, as PyTorch does. */
export function startCycleMomentum(o: CycleMomentumOptions, optimizer: SchedulableOptimizer): void {
  if (!o.cycleMomentum) return;
  const key = momentumKey(optimizer, 'cycleMomentum');
  const max = numbersPerGroup('maxMomentum', o.maxMomentum, optimizer);
  const base = numbersPerGroup('baseMomentum', o.baseMomentum, optimizer);
  optimizer.paramGroups.forEach((group, i) => {
    setMomentum(group, key, max[i]);
    group.maxMomentum = max[i];
    group.baseMomentum = base[i];
  });
}

/** Plain data: what a state dict keeps of options (functions and schedulers stay out). */
function isStorable(value: unknown): boolean {
  if (typeof value === 'function') return false;
  if (Array.isArray(value)) return value.every(isStorable);
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && Object.values(value).every(isStorable);
  }
  return true;
}

function storableOptions(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => isStorable(value)));
}

export function encodeState(options: object, state: Record<string, unknown>): SchedulerStateDict {
  return encode({ ...storableOptions(options), ...state }) as SchedulerStateDict;
}

/**
 * What the counters of a scheduler's state dict must be, by key (a list holds numbers of its kind
 * one per entry). Options are not listed: the scheduler's `validateOptions`, which its constructor
 * runs, checks loaded options too, so a scheduler constructs with exactly the options it loads.
 */
export type StateKinds = Readonly<Record<string, NumberKind>>;

/** A state value must have the type of the current one: a number, or numbers one per entry. */
function checkLike(value: unknown, current: unknown, key: string): unknown {
  if (typeof current === 'number') {
    if (typeof value !== 'number') {
      throw new TypeError(
        `Invalid state dict: ${key} is ${describeStored(value, false)} (expected a number)`,
      );
    }
    return value;
  }
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Invalid state dict: ${key} is ${describeStored(value, false)} (expected a list of numbers)`,
    );
  }
  const list: unknown[] = value;
  const expected = (current as unknown[]).length;
  if (list.length !== expected) {
    throw new RangeError(
      `Invalid state dict: ${key} has ${list.length} entries (expected ${expected} numbers)`,
    );
  }
  list.forEach((x, i) => {
    if (typeof x !== 'number') {
      throw new TypeError(
        `Invalid state dict: ${key}[${i}] is ${describeStored(x, false)} (expected a number)`,
      );
    }
  });
  return [...list];
}

/** Checks every number of a state value (a number, or a list of them) against its kind. */
function checkKind(value: unknown, kind: NumberKind, key: string): void {
  if (typeof value === 'number') checkStoredNumber(value, kind, key);
  else if (Array.isArray(value)) {
    value.forEach((x, i) => {
      if (typeof x === 'number') checkStoredNumber(x, kind, `${key}[${i}]`);
    });
  }
}

/**
 * Reads a state dict written by `encodeState`, checking everything before anything changes:
 * options go through the scheduler's own validation, counters must match the current ones in
 * kind and length, and each be of its kind in `kinds` (each counter must be listed), `relations`
 * checks what the entries say of each other, and no key may be missing or unknown. Functions in the options are kept from the current scheduler, as PyTorch keeps lambdas.
 */
export function parseState<O extends object>(
  stateDict: unknown,
  current: { options: O; state: Record<string, unknown> },
  validateOptions: (options: O) => void,
  kinds: StateKinds,
  relations?: (options: O, state: Record<string, unknown>) => void,
): { options: O; state: Record<string, unknown> } {
  if (!isRecord(stateDict)) {
    throw new TypeError(`Invalid state dict: ${describeStored(stateDict)} (expected an object)`);
  }
  const saved = decode(stateDict, 'stateDict') as Record<string, unknown>;
  if (!isRecord(saved) || isFloatArray(saved)) {
    throw new TypeError(`Invalid state dict: ${describeStored(saved)} (expected an object)`);
  }
  const take = (key: string) => {
    if (!(key in saved)) throw new TypeError(`Invalid state dict: missing ${key}`);
    return saved[key];
  };
  const options: Record<string, unknown> = { ...(current.options as Record<string, unknown>) };
  const storable = Object.keys(storableOptions(current.options));
  for (const key of storable) {
    options[key] = take(key);
    const was = (current.options as Record<string, unknown>)[key];
    if (isPlainData(was) && !isPlainData(options[key])) {
      throw new TypeError(
        `Invalid state dict: ${key} is ${describeStored(options[key])} (expected numbers, booleans, strings or lists of them)`,
      );
    }
  }
  validateOptions(options as O);
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current.state)) {
    if (!Object.hasOwn(kinds, key)) {
      throw new Error(`${key} is kept in the state but has no kind in stateKinds()`);
    }
    state[key] = checkLike(take(key), value, key);
    checkKind(state[key], kinds[key], key);
  }
  const known = new Set([...storable, ...Object.keys(current.state)]);
  for (const key of Object.keys(saved)) {
    if (!known.has(key))
      throw new TypeError(`Invalid state dict: unknown key ${JSON.stringify(key)}`);
  }
  relations?.(options as O, state);
  return { options: options as O, state };
}

/**
 * Base of the schedulers that follow PyTorch's `LRScheduler`: attached to an optimizer, they
 * record each group's starting learning rate as `initialLr` (PyTorch's `initial_lr`, kept if a
 * scheduler attached earlier set it) and take one step on construction, so the optimizer's first
 * step already uses the schedule's first value. Call `step()` after every `optimizer.step()`.
 *
 * A subclass implements `getLr()`, PyTorch's chainable form (the new rates from the groups'
 * current ones), and `closedFormLr()` where PyTorch has `_get_closed_form_lr`, which SequentialLR
 * uses to restart a scheduler at a milestone. `lastEpoch` counts the steps: 0 after construction.
 *
 * Options are validated before anything changes (TypeError or RangeError naming the option and the
 * value). PyTorch's `last_epoch` constructor argument is replaced by `loadStateDict`: construct
 * the scheduler afresh and load its saved state (and the optimizer's) to resume exactly.
 */
export abstract class LRScheduler<O extends object = object> {
  /** The optimizer whose groups' learning rates the scheduler sets. */
  readonly optimizer: SchedulableOptimizer;
  /** PyTorch's base_lrs: each group's initialLr when the scheduler was attached. */
  baseLrs: number[];
  /** Steps taken so far: 0 after construction (PyTorch's last_epoch). */
  lastEpoch = -1;
  /** The options with defaults filled in; loadStateDict restores them, as PyTorch does. */
  protected options: O;
  /** The rates the last step set, one per group (what `getLastLr` returns a copy of). */
  protected lastLr: number[] = [];
  /** True during the constructor's step (PyTorch 2.x's `_is_initial`). */
  protected isInitial = false;
  /**
   * The groups as the constructor found them, until its step has run: a step that throws (a
   * lambda returning NaN) puts them back, so a refused scheduler leaves the optimizer as it was.
   * Composites, which take no step of their own on construction, never use it.
   */
  private untouched: Record<string, unknown>[] | undefined;

  constructor(optimizer: SchedulableOptimizer, options: O) {
    this.optimizer = checkOptimizer(optimizer);
    this.validateOptions(options);
    // What becomes a base rate must be one a state dict may hold, as loading checks baseLrs.
    checkGroupRates(
      this.optimizer,
      (group) => ('initialLr' in group ? 'initialLr' : 'lr'),
      this.stateKinds().baseLrs,
    );
    this.options = Object.fromEntries(
      Object.entries(options).map(([key, value]) => [
        key,
        Array.isArray(value) ? [...value] : value,
      ]),
    ) as O;
    this.untouched = this.optimizer.paramGroups.map((group) => ({ ...group }));
    this.prepareGroups();
    for (const group of this.optimizer.paramGroups) {
      if (!('initialLr' in group)) group.initialLr = group.lr;
    }
    this.baseLrs = this.optimizer.paramGroups.map((group) => group.initialLr as number);
  }

  /** Throws a TypeError or RangeError naming the first invalid option. */
  protected abstract validateOptions(options: O): void;

  /** Writes what the scheduler keeps in the groups before initialLr is recorded (CyclicLR, OneCycleLR). */
  protected prepareGroups(): void {}

  /** The new learning rate of each group, from `lastEpoch` and the groups' current rates. */
  protected getLr(): number[] {
    throw new Error(`${this.constructor.name} must implement getLr or override step`);
  }

  /** The learning rates at `lastEpoch` from `baseLrs` alone, where PyTorch has such a form. */
  protected closedFormLr?(): number[];

  /** Advances one step and writes the new learning rates into the optimizer's groups. */
  step(): void {
    this.advance(this.lastEpoch + 1, () => this.getLr());
  }

  /** The learning rates this scheduler last set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's state as plain JSON: its options (but functions, which stay with the
   * scheduler, as PyTorch keeps lambdas) and its counters.
   */
  stateDict(): SchedulerStateDict {
    return encodeState(this.options, this.state());
  }

  /**
   * Restores what `stateDict` returned (also after a JSON round trip). Everything is checked
   * first; on any mismatch it throws and the scheduler is left as it was.
   */
  loadStateDict(stateDict: unknown): void {
    this.prepareLoad(stateDict)();
  }

  /** The counters a state dict keeps besides the options; names are the fields' own. */
  protected state(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs, lastLr: this.lastLr };
  }

  /**
   * What each number of the state dict must be (see `StateKinds`): every counter of `state()`,
   * and the options whose validation alone would let a poisonous value through. A subclass that
   * keeps more adds its own: `{ ...super.stateKinds(), Ti: numberKinds.positiveInteger }`.
   */
  protected stateKinds(): StateKinds {
    return {
      lastEpoch: numberKinds.epoch,
      baseLrs: numberKinds.nonNegative,
      // Only reported, never computed from; a schedule may take a rate below 0 (CosineAnnealingLR
      // with etaMin above it), which the optimizer then refuses.
      lastLr: numberKinds.finite,
    };
  }

  /**
   * What loaded entries must say of each other, beyond their kinds (a restart's position within
   * its period); throws a RangeError naming them. Nothing by default.
   */
  protected checkLoadedState(_options: O, _state: Record<string, unknown>): void {}

  /** Checks a state dict and returns the change that applies it (composites check all children first). */
  protected prepareLoad(stateDict: unknown): () => void {
    const { options, state } = parseState(
      stateDict,
      { options: this.options, state: this.state() },
      (o) => this.validateOptions(o),
      this.stateKinds(),
      (o, s) => this.checkLoadedState(o, s),
    );
    return () => {
      this.options = options;
      Object.assign(this, state);
    };
  }

  /**
   * The step a constructor takes once the scheduler is set up, flagged as initial (`isInitial`),
   * so that the optimizer's first step already uses the schedule's first value.
   */
  protected initialStep(): void {
    this.isInitial = true;
    try {
      this.step();
    } catch (error) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const before = this.untouched?.[i];
        if (before === undefined) return;
        for (const key of Object.keys(group)) if (!(key in before)) delete group[key];
        Object.assign(group, before);
      });
      throw error;
    } finally {
      this.isInitial = false;
      this.untouched = undefined;
    }
  }

  /**
   * Moves to `epoch` and applies the rates `compute` gives; if `compute` throws (OneCycleLR past
   * its end), `lastEpoch` goes back and nothing changes.
   */
  protected advance(epoch: number, compute: () => number[]): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length) {
      throw new RangeError(
        `${this.constructor.name}: the optimizer has ${groups.length} parameter groups, the scheduler was attached to ${this.baseLrs.length}`,
      );
    }
    const previous = this.lastEpoch;
    this.lastEpoch = epoch;
    let values: number[];
    try {
      values = compute();
    } catch (error) {
      this.lastEpoch = previous;
      throw error;
    }
    groups.forEach((group, i) => {
      group.lr = values[i];
    });
    this.lastLr = groupLrs(this.optimizer);
  }

  /** The constructor's step, for SequentialLR, which redoes it for its first scheduler. */
  protected static initialStepOf(scheduler: LRScheduler): void {
    scheduler.initialStep();
  }

  /**
   * SequentialLR's restart of a scheduler at its milestone, PyTorch 2.x's `_update_lr(0)`:
   * epoch 0, from the closed form where there is one.
   */
  protected static restartOf(scheduler: LRScheduler): void {
    scheduler.advance(0, () => scheduler.closedFormLr?.() ?? scheduler.getLr());
  }

  /** `prepareLoad` of another scheduler, for composites, which check all their children first. */
  protected static prepareLoadOf(scheduler: LRScheduler, stateDict: unknown): () => void {
    return scheduler.prepareLoad(stateDict);
  }
}
