/**
 * Checks of user-supplied options. Every failure is a TypeError (wrong kind of value) or a
 * RangeError (right kind, outside its range) whose message names the option and the value, in
 * PyTorch's words where PyTorch has them ("Invalid learning rate: -1").
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

/** `betas`: both in [0, 1), as PyTorch requires. */
export function checkBetas(value: unknown, option = 'betas'): [number, number] {
  const [beta1, beta2] = checkPair(option, value);
  if (beta1 < 0 || beta1 >= 1) {
    throw new RangeError(`Invalid beta parameter at index 0 (${option}[0]): ${beta1}`);
  }
  if (beta2 < 0 || beta2 >= 1) {
    throw new RangeError(`Invalid beta parameter at index 1 (${option}[1]): ${beta2}`);
  }
  return [beta1, beta2];
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
 * A finite number >= 0: an optimizer's rates and coefficients reach every parameter, so an
 * infinite one turns the whole model into infinities or NaN at the next step.
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

/** The learning rate: finite and >= 0. */
export function checkLr(lr: unknown): number {
  return checkFiniteNonNegative('lr', lr, 'learning rate');
}

/** An optimizer's `eps`: finite and >= 0. */
export function checkEps(eps: unknown): number {
  return checkFiniteNonNegative('eps', eps, 'epsilon value');
}

/**
 * A decay rate λ, which a step of learning rate lr multiplies the parameter by 1 − lr·λ with:
 * finite, >= 0, and small enough that one step takes at most the whole parameter (lr·λ <= 1).
 * Past that the decay flips the parameter's sign at every step and grows it without bound;
 * PyTorch accepts it and ends in infinities.
 */
export function checkDecayRate(
  option: string,
  value: unknown,
  lr: number,
  description: string,
): number {
  const lambda = checkFiniteNonNegative(option, value, description);
  if (lr * lambda > 1) {
    throw new RangeError(
      `Invalid ${label(option, description)}: ${lambda} with lr ${lr} (expected lr·${option} <= 1: a step would shrink the parameter past zero)`,
    );
  }
  return lambda;
}

/** Weight decay: a decay rate (decoupled, or plain SGD's), see `checkDecayRate`. */
export function checkWeightDecay(weightDecay: unknown, lr: number): number {
  return checkDecayRate('weightDecay', weightDecay, lr, 'weight_decay value');
}

/** The checks most optimizers share: lr, eps and weight decay, each present and in range. */
export function checkLrEpsDecay(options: {
  lr?: unknown;
  eps?: unknown;
  weightDecay?: unknown;
}): void {
  const lr = checkLr(options.lr);
  checkEps(options.eps);
  checkWeightDecay(options.weightDecay, lr);
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
