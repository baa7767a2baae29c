import { dtypeOf, type FloatArray, isFloatArray, type Param } from '../core/param.js';
import { describeStored, encode, isPlainData, type Json } from '../core/serialize.js';
import { wasFreed } from '../kernels/wasm/arena.js';

/**
 * Arrays that a training utility keeps one per parameter (AveragedParams' averages, Lookahead's
 * slow weights), as its state dict holds them: a list in the parameters' order, and the
 * parameters' names beside it when every one has a name and no two share it.
 */
export interface SavedArrays {
  /** The arrays, encoded as state dicts encode them (their bytes, base64), in the parameters' order. */
  arrays: Json[];
  /** The parameters' names, in the same order, when all have distinct names. */
  paramNames?: string[];
}

/** The parameters' names when every one has a name and no two share it; else null. */
function distinctNames(params: readonly Param[]): string[] | null {
  const names = params.map((p) => p.name);
  if (names.some((name) => typeof name !== 'string')) return null;
  return new Set(names).size === names.length ? (names as string[]) : null;
}

/** `arrays`, one per parameter of `params` (null for one that has none yet), for a state dict. */
export function saveArrays(
  params: readonly Param[],
  arrays: readonly (FloatArray | null)[],
): SavedArrays {
  const names = distinctNames(params);
  const saved: SavedArrays = { arrays: arrays.map((a) => encode(a) ?? null) };
  if (names !== null) saved.paramNames = names;
  return saved;
}

/**
 * Reads what `saveArrays` wrote, from a decoded state dict (`list` under the name `key`, with
 * `paramNames`), into one array per parameter of `params`, in their order. Arrays go to
 * parameters by name when both the state dict and `params` name every parameter distinctly (so
 * the parameters may have been reordered), else by position; either way each parameter must have
 * exactly one, a float array of its element type and length (or null, when `nullable`). Throws a
 * TypeError or RangeError naming what does not fit; changes nothing.
 */
export function loadArrays(
  list: unknown,
  paramNames: unknown,
  params: readonly Param[],
  key: string,
  nullable = false,
): (FloatArray | null)[] {
  if (!Array.isArray(list)) {
    throw new TypeError(
      `Invalid state dict: ${key} is not a list: ${describeStored(list)} (expected one array per parameter)`,
    );
  }
  if (list.length !== params.length) {
    throw new RangeError(
      `Invalid state dict: ${key} has ${list.length} arrays, for ${params.length} parameters`,
    );
  }
  let order = params.map((_, i) => i);
  if (paramNames !== undefined) {
    const saved = checkNames(paramNames, list.length);
    const own = distinctNames(params);
    if (saved !== null && own !== null) {
      order = own.map((name) => {
        const at = saved.indexOf(name);
        if (at < 0) {
          throw new RangeError(
            `Invalid state dict: it has no array for parameter ${JSON.stringify(name)} (paramNames lists ${saved.map((n) => JSON.stringify(n)).join(', ')})`,
          );
        }
        return at;
      });
    }
  }
  return params.map((p, i) => {
    const value = list[order[i]];
    const where = `${key}[${order[i]}]`;
    if (value === null && nullable) return null;
    if (!isFloatArray(value)) {
      throw new TypeError(
        `Invalid state dict: ${where} is not an array${nullable ? ' nor null' : ''}: ${describeStored(value)}`,
      );
    }
    if (dtypeOf(value) !== dtypeOf(p.data) || value.length !== p.data.length) {
      throw new RangeError(
        `Invalid state dict: ${where} is a ${dtypeOf(value)} array of length ${value.length}, expected ${dtypeOf(p.data)} of length ${p.data.length}`,
      );
    }
    return value;
  });
}

/** Saved names: a list of `count` strings; null when two are the same (then order decides). */
function checkNames(names: unknown, count: number): string[] | null {
  if (!Array.isArray(names)) {
    throw new TypeError(`Invalid state dict: paramNames is not a list: ${describeStored(names)}`);
  }
  if (names.length !== count) {
    throw new RangeError(
      `Invalid state dict: paramNames has ${names.length} names for ${count} arrays`,
    );
  }
  names.forEach((name, i) => {
    if (typeof name !== 'string') {
      throw new TypeError(
        `Invalid state dict: paramNames[${i}] is not a string: ${describeStored(name)}`,
      );
    }
  });
  return new Set(names).size === names.length ? (names as string[]) : null;
}

/**
 * Checks that each parameter's values still fit the array kept for it (element type and length)
 * and were not freed, before anything changes: `p.data` may have been replaced since.
 */
export function checkFits(
  params: readonly Param[],
  arrays: readonly (FloatArray | null | undefined)[],
  what: string,
): void {
  params.forEach((p, i) => {
    const kept = arrays[i];
    if (p === null || typeof p !== 'object') {
      throw new TypeError(
        `Invalid parameter ${i}: ${describeStored(p)} (expected a parameter { data: Float32Array | Float64Array, grad })`,
      );
    }
    if (!isFloatArray(p.data)) {
      throw new TypeError(
        `Invalid ${describeParam(p, i)}: its data is ${describeStored(p.data)} (expected a Float32Array or a Float64Array)`,
      );
    }
    if (wasFreed(p.data)) {
      throw new TypeError(`Invalid ${describeParam(p, i)}: its data was freed with freeArray`);
    }
    if (kept && (dtypeOf(kept) !== dtypeOf(p.data) || kept.length !== p.data.length)) {
      throw new RangeError(
        `Invalid ${describeParam(p, i)}: its data is a ${dtypeOf(p.data)} array of length ${p.data.length}, its ${what} a ${dtypeOf(kept)} array of length ${kept.length}`,
      );
    }
  });
}

/**
 * An option read from a decoded state dict, before the option's own check sees it: numbers,
 * booleans, strings, null or lists of them (a check's message prints the value, which an object
 * from `decode`, without a prototype, cannot be printed as). Missing is a TypeError too.
 */
export function savedOption(saved: Record<string, unknown>, key: string): unknown {
  if (!(key in saved)) throw new TypeError(`Invalid state dict: missing ${key}`);
  const value = saved[key];
  if (!isPlainData(value)) {
    throw new TypeError(
      `Invalid state dict: ${key} is ${describeStored(value)} (expected numbers, booleans, strings or lists of them)`,
    );
  }
  return value;
}

/** A parameter for messages: by name (`parameter "w"`), or by position (`parameter 2`). */
export function describeParam(p: Param, index: number): string {
  return `parameter ${p.name === undefined ? index : JSON.stringify(p.name)}`;
}
