import type { NumberBounds, OptionSpec } from './spec.js';

/**
 * Checks of user-supplied options. Every failure is a TypeError (wrong kind of value) or a
 * RangeError (right kind, outside its range) whose message names the option and the value, in
 * PyTorch's words where PyTorch has them ("Invalid learning rate: -1"). `checkOption` checks an
 * option against its spec (src/core/spec.ts); the others are its parts, and the checks of what
 * no spec describes.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return String(value);
}

function label(option: string, description?: string): string {
  return description === undefined ? option : `${description} (${option})`;
}

export function checkNumber(option: string, value: unknown, description?: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(
      `Invalid ${label(option, description)}: ${show(value)} (expected a number)`,
    );
  }
  return value;
}

export function checkNonNegative(option: string, value: unknown, description?: string): number {
  const number = checkNumber(option, value, description);
  if (number < 0) throw new RangeError(`Invalid ${label(option, description)}: ${show(value)}`);
  return number;
}

export function checkPositive(option: string, value: unknown, description?: string): number {
  const number = checkNumber(option, value, description);
  if (!(number > 0)) throw new RangeError(`Invalid ${label(option, description)}: ${show(value)}`);
  return number;
}

/** A number in [low, high) (or [low, high] when `closed`). */
export function checkInRange(
  option: string,
  value: unknown,
  low: number,
  high: number,
  { closed = false, description }: { closed?: boolean; description?: string } = {},
): number {
  const number = checkNumber(option, value, description);
  if (number < low || (closed ? number > high : number >= high)) {
    const interval = `[${low}, ${high}${closed ? ']' : ')'}`;
    throw new RangeError(
      `Invalid ${label(option, description)}: ${show(value)} (expected in ${interval})`,
    );
  }
  return number;
}

export function checkInteger(
  option: string,
  value: unknown,
  min = 0,
  description?: string,
): number {
  const number = checkNumber(option, value, description);
  if (!Number.isInteger(number) || number < min) {
    throw new RangeError(
      `Invalid ${label(option, description)}: ${show(value)} (expected an integer >= ${min})`,
    );
  }
  return number;
}

/**
 * An integer in [min, 2^53 − 1]: one a state keeps as a counter (a cooldown, a restart period),
 * which loading requires to be exact, as a double no longer counts by ones past 2^53.
 */
export function checkSafeInteger(option: string, value: unknown, min = 0): number {
  const number = checkInteger(option, value, min);
  if (!Number.isSafeInteger(number)) {
    throw new RangeError(
      `Invalid ${option}: ${show(value)} (expected an integer >= ${min} and at most 2^53 − 1)`,
    );
  }
  return number;
}

export function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`Invalid ${option}: ${show(value)} (expected true or false)`);
  }
  return value;
}

/** A two-element array of numbers, such as `betas` or `etas`. */
export function checkPair(option: string, value: unknown): [number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'number' ||
    typeof value[1] !== 'number' ||
    Number.isNaN(value[0]) ||
    Number.isNaN(value[1])
  ) {
    throw new TypeError(`Invalid ${option}: ${show(value)} (expected two numbers)`);
  }
  return [value[0], value[1]];
}

export function checkOneOf<T extends string | null>(
  option: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(
      `Invalid ${option}: ${show(value)} (expected one of ${allowed.map(show).join(', ')})`,
    );
  }
  return value as T;
}

export function checkFunction(option: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new TypeError(`Invalid ${option}: ${show(value)} (expected a function)`);
  }
}

/**
 * A decay rate λ against the learning rate, which a step multiplies the parameter by 1 − lr·λ
 * with: small enough that one step takes at most the whole parameter (lr·λ <= 1). Past that the
 * decay flips the parameter's sign at every step (weight decay, decoupled or plain SGD's; ASGD's
 * lambd) and grows it without bound; PyTorch accepts it and ends in infinities. Both are checked
 * numbers (finite, >= 0) already; `description` is the option's words in the message.
 */
export function checkDecayRate(
  option: string,
  lambda: number,
  lr: number,
  description: string,
): void {
  if (lr * lambda > 1) {
    throw new RangeError(
      `Invalid ${label(option, description)}: ${lambda} with lr ${lr} (expected lr·${option} <= 1: a step would shrink the parameter past zero)`,
    );
  }
}

/** Weight decay against the learning rate: a decay rate, see {@link checkDecayRate}. */
export function checkWeightDecay(weightDecay: number, lr: number): void {
  checkDecayRate('weightDecay', weightDecay, lr, 'weight_decay value');
}

/** A pair, as `checkPair`, whose elements marked `nullable` in `items` may also be null. */
function checkNullablePair(
  option: string,
  value: unknown,
  items: readonly NumberBounds[] | undefined,
): (number | null)[] {
  const nullable = [0, 1].filter((i) => items?.[i]?.nullable === true);
  if (nullable.length === 0) return checkPair(option, value);
  const ok = (v: unknown, i: number) =>
    (v === null && nullable.includes(i)) || (typeof v === 'number' && !Number.isNaN(v));
  if (!Array.isArray(value) || value.length !== 2 || !value.every(ok)) {
    const which = nullable.map((i) => (i === 0 ? 'the first' : 'the second')).join(' and ');
    throw new TypeError(
      `Invalid ${option}: ${show(value)} (expected two numbers; ${which} may be null)`,
    );
  }
  return value;
}

/**
 * A finite number >= 0: a scheduler's rates and factors reach every parameter, so an infinite
 * one turns the whole model into infinities or NaN at the next step.
 */
export function checkFiniteNonNegative(
  option: string,
  value: unknown,
  description?: string,
): number {
  const number = checkNonNegative(option, value, description);
  if (number === Infinity) {
    throw new RangeError(
      `Invalid ${label(option, description)}: ${show(value)} (expected a finite number)`,
    );
  }
  return number;
}

/** A finite number: schedules promise finite values, so their inputs must be finite too. */
export function checkFinite(option: string, value: unknown, description?: string): number {
  const number = checkNumber(option, value, description);
  if (!Number.isFinite(number)) {
    throw new RangeError(
      `Invalid ${label(option, description)}: ${show(value)} (expected a finite number)`,
    );
  }
  return number;
}

/** An array; its elements are checked by the caller, which names them `option[i]`. */
export function checkArray(option: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`Invalid ${option}: ${show(value)} (expected an array)`);
  }
  return value;
}

/**
 * The range of `bounds` as an error states it: " (expected in [0, 1))", " (expected >= 1)", or
 * nothing for a lower bound of 0 alone, whose breach (a negative rate) PyTorch's messages leave
 * unexplained ("Invalid learning rate: -1"); for an integer, " (expected an integer >= 1)".
 */
function expected(
  { min, max, minExclusive, maxExclusive }: NumberBounds,
  integer: boolean,
): string {
  const what = integer ? 'an integer ' : '';
  // Number.MAX_VALUE as the upper bound says "finite", for an element that must be where the
  // others may be infinite (Rprop's least step size).
  if (max === Number.MAX_VALUE) {
    const lower = min === undefined ? '' : ` ${minExclusive ? '>' : '>='} ${min}`;
    return ` (expected a finite ${integer ? 'integer' : 'number'}${lower})`;
  }
  if (min !== undefined && max !== undefined) {
    const interval = `${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
    return ` (expected ${what}in ${interval})`;
  }
  if (min !== undefined) {
    return min === 0 && !integer ? '' : ` (expected ${what}${minExclusive ? '>' : '>='} ${min})`;
  }
  if (max !== undefined) return ` (expected ${what}${maxExclusive ? '<' : '<='} ${max})`;
  return integer ? ' (expected an integer)' : '';
}

/** How `checkBounded` checks a number, besides its bounds; `description` names it in errors. */
interface OptionChecks {
  integer?: boolean;
  infinite?: boolean;
  description?: string;
}

/**
 * A number within `bounds`, an integer if `integer`, finite unless `infinite`: a TypeError for
 * what is not a number (or NaN), else a RangeError.
 */
function checkBounded(
  option: string,
  value: unknown,
  bounds: NumberBounds,
  { integer = false, infinite = false, description }: OptionChecks,
): number {
  const number = checkNumber(option, value, description);
  const { min, max, minExclusive, maxExclusive } = bounds;
  const below = min !== undefined && (minExclusive ? !(number > min) : number < min);
  const above = max !== undefined && (maxExclusive ? !(number < max) : number > max);
  if (below || above || (integer && !Number.isInteger(number))) {
    throw new RangeError(
      `Invalid ${label(option, description)}: ${show(value)}${expected(bounds, integer)}`,
    );
  }
  if (!infinite && !Number.isFinite(number)) {
    throw new RangeError(
      `Invalid ${label(option, description)}: ${show(value)} (expected a finite number)`,
    );
  }
  return number;
}

/**
 * Checks an option's value against its spec: its type; a number's range (integer, finite unless
 * `infinite`); each element of a pair or list the same way (named `betas[0]`, and by `label`);
 * a choice among `choices`; and a `fixed` option at its default. Throws a TypeError for a value
 * of the wrong kind, a RangeError for one out of range, naming the option and the value, as
 * `label` words it ("Invalid learning rate (lr): -1"). What depends on other options
 * (lr·weightDecay <= 1) is checked by the algorithm, after this.
 */
export function checkOption(spec: OptionSpec, value: unknown): void {
  if (value === null && spec.nullable) return;
  const { name, label: description } = spec;
  const checks = { integer: spec.integer, infinite: spec.infinite };
  switch (spec.type) {
    case 'number':
    case 'integer':
      checkBounded(name, value, spec, {
        ...checks,
        integer: spec.type === 'integer',
        description,
      });
      break;
    case 'pair':
      checkNullablePair(name, value, spec.items).forEach((v, i) => {
        if (v === null) return;
        checkBounded(`${name}[${i}]`, v, spec.items?.[i] ?? spec, {
          ...checks,
          description: description && `${description} at index ${i}`,
        });
      });
      break;
    case 'numbers':
      checkArray(name, value).forEach((v, i) => {
        checkBounded(`${name}[${i}]`, v, spec, checks);
      });
      break;
    case 'boolean':
      checkBoolean(name, value);
      break;
    case 'choice':
      // A value of the wrong kind (a group that lost the option: undefined) is a TypeError.
      if (typeof value !== 'string' && value !== null) {
        throw new TypeError(
          `Invalid ${name}: ${show(value)} (expected one of ${(spec.choices ?? []).map(show).join(', ')})`,
        );
      }
      checkOneOf(name, value, spec.choices ?? []);
      break;
    case 'function':
      checkFunction(name, value);
      break;
  }
  if (spec.fixed !== undefined && value !== spec.default) {
    throw new RangeError(`Invalid ${name}: ${show(value)} (${spec.fixed})`);
  }
}

/** Checks each of `values` against its spec, in the specs' order (see `checkOption`). */
export function checkOptions(specs: readonly OptionSpec[], values: object): void {
  for (const spec of specs) checkOption(spec, (values as Record<string, unknown>)[spec.name]);
}

/** Levenshtein distance, case-insensitive: how far a misspelled option is from a valid one. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length];
}

/**
 * The valid name closest to `name`, when it is close enough to be a likely misspelling (at most a
 * third of its letters changed, or differing only in case); undefined otherwise.
 */
export function closestName(name: string, valid: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** " (did you mean betas?)" when a valid name is close to `name`, else "". */
export function didYouMean(name: string, valid: Iterable<string>): string {
  const closest = closestName(name, valid);
  return closest === undefined ? '' : ` (did you mean ${closest}?)`;
}

/**
 * Refuses an option that `owner` does not take, as PyTorch refuses an unexpected keyword
 * argument: a TypeError naming it and the closest valid name ("Unknown option betass for Adam
 * (did you mean betas?)"). Own enumerable keys only; an option set to undefined counts, since it
 * was written.
 */
export function checkKnownOptions(options: object, valid: readonly string[], owner: string): void {
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      throw new TypeError(`Unknown option ${key} for ${owner}${didYouMean(key, valid)}`);
    }
  }
}

/**
 * Refuses a name that is none of `valid` (an optimizer's, a schedule's): a RangeError that lists
 * them, leading with the closest.
 */
export function checkName(what: string, name: unknown, valid: readonly string[]): string {
  if (typeof name === 'string' && valid.includes(name)) return name;
  const hint = typeof name === 'string' ? didYouMean(name, valid) : '';
  throw new RangeError(
    `Invalid ${what}: ${show(name)}${hint}; expected one of ${valid.join(', ')}`,
  );
}
