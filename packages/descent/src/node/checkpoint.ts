import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  dtypeOf,
  isFloatArray,
  isStateArray,
  isStateArrayDType,
  type Param,
  type StateArray,
  stateArrayClasses,
  stateArrayDType,
} from '../core/param.js';
import { assertSafeKey, decode, encode, isRecord, type Json } from '../core/serialize.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';
import {
  decodeSafetensors,
  dtypeOfArray,
  type EncodedSafetensors,
  encodeSafetensors,
  FormatProblem,
  type TensorEntry,
} from './safetensors.js';

/**
 * Checkpoints of a training run: the parameters, the optimizer's state and the scheduler's, and
 * anything else of the caller's, in one safetensors file that PyTorch's and Python's safetensors
 * readers open, saved atomically and checked whole when loaded.
 *
 * Every array goes in as a tensor: each parameter under its name (`param.<index>` when it has
 * none), each array of the optimizer's state dict under its place in it (`optimizer.state.0.expAvg`,
 * `optimizer.state.0.oldDirs.2`), of the scheduler's under `scheduler.`; moments kept in fewer
 * bits (`stateDtype`) are BF16 tensors (bfloat16) and U8 tensors (int8 codes, beside their F32
 * absmax), as PyTorch reads them. The header's metadata
 * holds the rest as JSON strings:
 *
 * - `descent.checkpoint`: the format's version, "1";
 * - `descent.params`: the parameters' tensor names, in order;
 * - `descent.optimizer`, `descent.scheduler`: `{ class, stateDict }`, the state dict as
 *   `stateDict()` gives it with each array replaced by `{ "$tensor": name }`;
 * - `descent.extra`: the caller's `extra`, encoded as state dicts are (typed arrays, NaN, the
 *   infinities and -0 survive);
 * - `descent.sha256`: the SHA-256 of the whole file as written with these 64 hex digits all "0",
 *   so that a changed byte anywhere, in the data or in the header, is found.
 *
 * The state dicts are read only through `stateDict()` and `loadStateDict()`, whatever their
 * layout: the arrays are found wherever they are, as serialize.ts's `decode` finds them.
 */

/** What a checkpoint saves and restores state through: descent's optimizers and schedulers. */
export interface Stateful {
  /** The state as a state dict: plain data and typed arrays. */
  stateDict(): unknown;
  /** Restores a state dict, or throws and changes nothing. */
  loadStateDict(stateDict: unknown): void;
}

/** What {@link loadCheckpoint} restores: the run's parameters, optimizer and scheduler. */
export interface CheckpointTarget {
  /** The model's parameters, in a fixed order (their names, where they have them, must be distinct). */
  params: readonly Param[];
  /** The optimizer stepping `params`; its class must be the one saved. */
  optimizer: Stateful;
  /** The learning-rate scheduler, if the run has one. */
  scheduler?: Stateful;
}

/** What {@link saveCheckpoint} saves: the run's parameters, optimizer, scheduler and `extra`. */
export interface CheckpointContents extends CheckpointTarget {
  /** Anything else to keep (epoch, data order, metrics): JSON, plus typed arrays and non-finite numbers. */
  extra?: unknown;
}

/** What {@link loadCheckpoint} returns besides restoring its target. */
export interface LoadedCheckpoint {
  /** The `extra` it was saved with (objects without a prototype), or undefined. */
  extra: unknown;
  /** The header's metadata, every entry a string. */
  metadata: Record<string, string>;
}

/** A checkpoint that cannot be loaded: `path` names it, the message says what is wrong. */
export class CheckpointError extends Error {
  /** The checkpoint's file, as given to the loader. */
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`Invalid checkpoint ${path}: ${problem}`, options);
    this.name = 'CheckpointError';
    this.path = path;
  }
}

const version = '1';
const keys = {
  version: 'descent.checkpoint',
  params: 'descent.params',
  optimizer: 'descent.optimizer',
  scheduler: 'descent.scheduler',
  extra: 'descent.extra',
  checksum: 'descent.sha256',
} as const;
/** How an array of a state dict is referred to in the metadata. */
const tensorKey = '$tensor';

const nameOf = (p: Param, i: number): string => p.name ?? `param.${i}`;

const classOf = (value: object): string => value.constructor?.name ?? 'Object';

/**
 * Saves a checkpoint at `path`, replacing any file there atomically: killed at any moment, the
 * process leaves the old file or the new one, whole. Everything is read before the returned
 * promise's first wait, so training may go on while the file is written.
 */
export async function saveCheckpoint(path: string, contents: CheckpointContents): Promise<void> {
  const { head, chunks } = build(path, contents, true);
  await writeFileAtomic(path, [head, ...chunks]);
}

/** `saveCheckpoint`, synchronously. */
export function saveCheckpointSync(path: string, contents: CheckpointContents): void {
  const { head, chunks } = build(path, contents, false);
  writeFileAtomicSync(path, [head, ...chunks]);
}

/**
 * Loads a checkpoint into the given parameters, optimizer and scheduler, and returns its `extra`.
 * Everything is checked first: a file that is truncated, corrupted (its checksum), not a
 * safetensors file or not a descent checkpoint, or whose tensors do not match the parameters
 * (count, names, dtype, length), or whose state the optimizer or the scheduler refuses, throws a
 * `CheckpointError` naming the file and the mismatch, and the parameters, the optimizer and the
 * scheduler are left as they were (the scheduler takes its state before the optimizer, and gets
 * its own back if the optimizer refuses). A checkpoint with a scheduler's state may be loaded
 * without a scheduler (its state is then left out); one without cannot restore a scheduler.
 * A file that cannot be read throws Node's error (ENOENT and the like).
 */
export async function loadCheckpoint(
  path: string,
  target: CheckpointTarget,
): Promise<LoadedCheckpoint> {
  return restore(path, await readFile(path), target);
}

/** `loadCheckpoint`, synchronously. */
export function loadCheckpointSync(path: string, target: CheckpointTarget): LoadedCheckpoint {
  return restore(path, readFileSync(path), target);
}

/** The file's bytes, checksum in place. `copy`: snapshot the parameters (an async write waits). */
function build(path: string, contents: CheckpointContents, copy: boolean): EncodedSafetensors {
  const { params, optimizer, scheduler, extra } = contents;
  const refuse = (problem: string) => new RangeError(`Cannot save checkpoint ${path}: ${problem}`);
  if (!Array.isArray(params) || params.length === 0) {
    throw refuse('expected a non-empty array of parameters');
  }
  const tensors: { name: string; data: StateArray; shape?: readonly number[] }[] = [];
  const owners = new Map<string, string>();
  const add = (name: string, data: StateArray, owner: string, shape?: readonly number[]) => {
    const previous = owners.get(name);
    if (previous !== undefined) {
      throw refuse(`${owner} and ${previous} would both be the tensor ${JSON.stringify(name)}`);
    }
    owners.set(name, owner);
    tensors.push(shape === undefined ? { name, data } : { name, data, shape });
  };
  const names = params.map((p: Param, i) => {
    if (!isRecord(p) || !isFloatArray(p.data)) {
      throw refuse(`params[${i}] is not a parameter { data: Float32Array | Float64Array }`);
    }
    const name = nameOf(p, i);
    if (name === '__metadata__') throw refuse(`params[${i}] has the reserved name "__metadata__"`);
    // A parameter's tensor has its shape, so that PyTorch reads a matrix as one; state arrays
    // are flat. Loading checks lengths only, so checkpoints written before shapes still load.
    const shape = Array.isArray(p.shape) ? [...p.shape] : undefined;
    add(name, copy ? p.data.slice() : p.data, `params[${i}]`, shape);
    return name;
  });
  const metadata: Record<string, string> = {
    [keys.version]: version,
    [keys.params]: JSON.stringify(names),
    [keys.optimizer]: JSON.stringify({
      class: classOf(optimizer),
      stateDict: extractTensors(optimizer.stateDict(), 'optimizer', add, refuse),
    }),
  };
  if (scheduler !== undefined) {
    metadata[keys.scheduler] = JSON.stringify({
      class: classOf(scheduler),
      stateDict: extractTensors(scheduler.stateDict(), 'scheduler', add, refuse),
    });
  }
  const encodedExtra = encode(extra);
  if (encodedExtra !== undefined) metadata[keys.extra] = JSON.stringify(encodedExtra);
  metadata[keys.checksum] = '0'.repeat(64);
  const encoded = encodeSafetensors(tensors, metadata, keys.checksum);
  const digest = checksum(encoded.head, encoded.chunks);
  new TextEncoder().encodeInto(digest, encoded.head.subarray(encoded.placeholderOffset));
  return encoded;
}

function checksum(head: Uint8Array, data: readonly Uint8Array[]): string {
  const hash = createHash('sha256').update(head);
  for (const chunk of data) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * A state dict's JSON with each array moved out into `add` (named by its place in the state
 * dict) and replaced by `{ $tensor: name }`; the rest is kept as it is. Arrays are found as
 * `decode` finds them, wherever they are, so any layout works.
 */
function extractTensors(
  stateDict: unknown,
  prefix: string,
  add: (name: string, data: StateArray, owner: string) => void,
  refuse: (problem: string) => Error,
): Json {
  const walk = (value: unknown, path: string): Json => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}.${i}`));
    // Encoded, as stateDict() gives arrays, or (from another Stateful) not.
    const array = isStateArray(value)
      ? value
      : isRecord(value) && 'base64' in value && 'dtype' in value
        ? decodeArray(value, path)
        : undefined;
    if (array !== undefined) {
      add(path, array, `the ${prefix}'s state`);
      return { [tensorKey]: path };
    }
    if (isRecord(value)) {
      if (tensorKey in value) throw refuse(`${path} has the key ${tensorKey}, which is reserved`);
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(value)) {
        assertSafeKey(key, path);
        out[key] = walk(value[key], `${path}.${key}`);
      }
      return out;
    }
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      throw refuse(`${path} is not JSON: ${String(value)}`);
    }
    return value as Json;
  };
  return walk(stateDict, prefix);
}

/**
 * serialize.ts's encoding of an array (`{ dtype, base64 }` of its bytes), made and read here with
 * Buffer: serialize.ts's own, written to run in browsers too, takes about a second per 8 MB on
 * Node 20, which a checkpoint would pay for every array on top of `stateDict()`. Used only while
 * it gives exactly what `encode` and `decode` give, as checked once on a probe; else those are.
 */
function fastEncode(array: StateArray): Json {
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  return { dtype: stateArrayDType(array), base64: bytes.toString('base64') };
}

function fastDecode(value: Record<string, unknown>): StateArray | undefined {
  const { dtype, base64 } = value;
  if (Object.keys(value).length !== 2 || typeof base64 !== 'string') return undefined;
  if (!isStateArrayDType(dtype)) return undefined;
  const Class = stateArrayClasses[dtype];
  const bytes = Buffer.from(base64, 'base64');
  const width = Class.BYTES_PER_ELEMENT;
  if (bytes.length % width !== 0 || base64.length !== Math.ceil(bytes.length / 3) * 4) {
    return undefined;
  }
  const array = new Class(bytes.length / width);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

const sameBits = (a: StateArray, b: unknown): boolean =>
  isStateArray(b) &&
  a.constructor === b.constructor &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

const fast = [
  new Float64Array([1.5, -0, Number.NaN, 2 ** -1074, -Number.MAX_VALUE]),
  new Float32Array([0.1, Number.NEGATIVE_INFINITY, 3]),
  new Float32Array(0),
  new Uint16Array([0x7fc0, 0x8000, 0x3f80]),
  new Uint8Array([0, 127, 255]),
].every((probe) => {
  const encoded = encode(probe);
  if (JSON.stringify(encoded) !== JSON.stringify(fastEncode(probe))) return false;
  const back = fastDecode(encoded as Record<string, unknown>);
  return back !== undefined && sameBits(back, decode(encoded, 'probe'));
});

const encodeArray = (array: StateArray): Json => (fast ? fastEncode(array) : encode(array)!);

function decodeArray(value: Record<string, unknown>, where: string): StateArray {
  const array = (fast ? fastDecode(value) : undefined) ?? decode(value, where);
  if (!isStateArray(array)) throw new TypeError(`Invalid array in ${where}`);
  return array;
}

/** Checks everything about the file and the target, then changes the target, or nothing. */
function restore(path: string, bytes: Uint8Array, target: CheckpointTarget): LoadedCheckpoint {
  const fail = (problem: string, cause?: unknown): never => {
    throw new CheckpointError(path, problem, cause === undefined ? undefined : { cause });
  };
  let file: ReturnType<typeof decodeSafetensors>;
  try {
    file = decodeSafetensors(bytes);
  } catch (error) {
    if (error instanceof FormatProblem) fail(error.message);
    throw error;
  }
  const { tensors, metadata, headerLength } = file!;
  const found = metadata[keys.version];
  if (found === undefined) {
    fail(`not a descent checkpoint (a safetensors file with no ${keys.version} in its metadata)`);
  }
  if (found !== version) {
    fail(
      `a descent checkpoint of version ${JSON.stringify(found)}; this descent reads version ${version}`,
    );
  }
  verifyChecksum(bytes, headerLength, metadata[keys.checksum], fail);

  const json = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return fail(`its metadata ${key} is not JSON`);
    }
  };
  const used = new Set<string>();
  const { params, optimizer, scheduler } = target;
  const names = json(keys.params);
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    return fail(`its metadata ${keys.params} is not a list of names`);
  }
  if (names.length !== params.length) {
    fail(
      `it holds ${names.length} parameters (${names.map((n) => JSON.stringify(n)).join(', ')}), and ${params.length} were given`,
    );
  }
  const values = params.map((p, i) => {
    const name = names[i];
    const live = nameOf(p, i);
    if (name !== live) {
      fail(
        `parameter ${i} is ${JSON.stringify(name)} in the checkpoint, and ${JSON.stringify(live)} here`,
      );
    }
    const tensor = tensors.get(name);
    if (tensor === undefined) return fail(`it has no tensor for parameter ${JSON.stringify(name)}`);
    used.add(name);
    const dtype = dtypeOfArray(p.data);
    if (tensor.dtype !== dtype) {
      fail(
        `parameter ${JSON.stringify(name)} is ${tensor.dtype} in the checkpoint, and ${dtype} (${dtypeOf(p.data)}) here`,
      );
    }
    if (tensor.data.length !== p.data.length) {
      fail(
        `parameter ${JSON.stringify(name)} has ${tensor.data.length} elements in the checkpoint, and ${p.data.length} here`,
      );
    }
    return tensor.data;
  });

  const stateOf = (key: string, what: string, live: Stateful | undefined): Json | undefined => {
    const saved = json(key);
    if (saved === undefined) return undefined;
    if (!isRecord(saved) || typeof saved.class !== 'string' || !('stateDict' in saved)) {
      return fail(`its metadata ${key} is not { class, stateDict }`);
    }
    const state = insertTensors(saved.stateDict, tensors, used, key, fail);
    if (live !== undefined && saved.class !== classOf(live)) {
      fail(`its ${what} is ${saved.class}, and the ${what} given is ${classOf(live)}`);
    }
    return state;
  };
  const optimizerState = stateOf(keys.optimizer, 'optimizer', optimizer);
  if (optimizerState === undefined) fail(`its metadata has no ${keys.optimizer}`);
  const schedulerState = stateOf(keys.scheduler, 'scheduler', scheduler);
  if (scheduler !== undefined && schedulerState === undefined) {
    fail('it has no scheduler state, and a scheduler was given');
  }
  for (const name of tensors.keys()) {
    if (!used.has(name)) fail(`its tensor ${JSON.stringify(name)} belongs to nothing in it`);
  }
  let extra: unknown;
  try {
    const raw = json(keys.extra);
    extra = raw === undefined ? undefined : decode(raw, 'extra');
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    fail(`its metadata ${keys.extra}: ${(error as Error).message}`, error);
  }

  // Only now does anything change: the scheduler, then the optimizer, each of which checks all
  // first and throws before changing anything; when the optimizer refuses, the scheduler goes
  // back to the state it had (a scheduler's state is small: the optimizer's might not be).
  const before = scheduler?.stateDict();
  if (scheduler !== undefined) {
    try {
      scheduler.loadStateDict(schedulerState);
    } catch (error) {
      fail(`the scheduler refuses its state: ${(error as Error).message}`, error);
    }
  }
  try {
    optimizer.loadStateDict(optimizerState);
  } catch (error) {
    scheduler?.loadStateDict(before);
    fail(`the optimizer refuses its state: ${(error as Error).message}`, error);
  }
  params.forEach((p, i) => {
    p.data.set(values[i]);
  });
  return { extra, metadata: { ...metadata } };
}

/**
 * The SHA-256 of the file with the checksum's 64 digits all "0" must be those digits. They are
 * found in the header's bytes as written (`"descent.sha256":"<digits>"`).
 */
function verifyChecksum(
  bytes: Uint8Array,
  headerLength: number,
  expected: string | undefined,
  fail: (problem: string) => never,
): void {
  if (expected === undefined || !/^[0-9a-f]{64}$/.test(expected)) {
    fail(`corrupted: its metadata has no valid ${keys.checksum}`);
  }
  const head = Buffer.from(bytes.subarray(0, 8 + headerLength));
  const pattern = `${JSON.stringify(keys.checksum)}:"${expected}"`;
  const at = head.indexOf(pattern, 8, 'utf8');
  if (at < 0) fail(`corrupted: its ${keys.checksum} is not where descent writes it`);
  const start = at + pattern.length - 65;
  head.fill('0', start, start + 64, 'utf8');
  const actual = checksum(head, [bytes.subarray(8 + headerLength)]);
  if (actual !== expected) {
    fail(`corrupted: its SHA-256 is ${actual}, and it was saved with ${expected}`);
  }
}

/** The inverse of `extractTensors`: each `{ $tensor: name }` replaced by its array, encoded. */
function insertTensors(
  value: unknown,
  tensors: ReadonlyMap<string, TensorEntry>,
  used: Set<string>,
  where: string,
  fail: (problem: string) => never,
): Json {
  const walk = (item: unknown): Json => {
    if (Array.isArray(item)) return item.map(walk);
    if (isRecord(item)) {
      const ref = item[tensorKey];
      if (typeof ref === 'string' && Object.keys(item).length === 1) {
        const tensor = tensors.get(ref);
        if (tensor === undefined) {
          return fail(
            `its ${where} refers to a tensor ${JSON.stringify(ref)} that it does not have`,
          );
        }
        if (used.has(ref)) fail(`its tensor ${JSON.stringify(ref)} is used twice`);
        used.add(ref);
        return encodeArray(tensor.data);
      }
      // Keys go in as own properties ("__proto__" too), for loadStateDict's checks to refuse.
      const out: { [key: string]: Json } = Object.create(null);
      for (const key of Object.keys(item)) out[key] = walk(item[key]);
      return out;
    }
    return item as Json;
  };
  return walk(value);
}
