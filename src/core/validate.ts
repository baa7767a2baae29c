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

/** Standard checks shared by most optimizers: lr, eps and weight decay non-negative. */
export function checkLrEpsDecay(options: {
  lr?: unknown;
  eps?: unknown;
  weightDecay?: unknown;
}): void {
  if ('lr' in options) checkNonNegative('lr', options.lr, 'learning rate');
  if ('eps' in options) checkNonNegative('eps', options.eps, 'epsilon value');
  if ('weightDecay' in options)
    checkNonNegative('weightDecay', options.weightDecay, 'weight_decay value');
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
