import { type FloatArray, isFloatArray, type Param } from '../core/param.js';
import {
  checkStoredNumber,
  decode,
  describeStored,
  encode,
  isRecord,
  type Json,
  numberKinds,
} from '../core/serialize.js';
import { checkInRange, checkKnownOptions, checkNumber } from '../core/validate.js';
import { lerp } from '../kernels/lerp.js';
import { checkFits, loadArrays, saveArrays, savedOption } from './param-arrays.js';

/** The options of {@link AveragedParams}. */
export interface AveragedParamsOptions {
  /**
   * β, the decay of an exponential moving average (EMA): each update keeps β of the average and
   * takes 1 − β of the parameters, as PyTorch 2.x's `get_ema_multi_avg_fn(decay)`. In [0, 1];
   * usual values 0.99 to 0.9999. Default null: the equally weighted average of stochastic weight
   * averaging (SWA), PyTorch's default.
   */
  decay?: number | null;
}

/** The state of an {@link AveragedParams} as plain JSON: what `stateDict` returns. */
export interface AveragedParamsStateDict {
  /** Updates averaged so far (PyTorch's `n_averaged`). */
  nAveraged: number;
  /** The EMA's decay, or null for equal weights (encoded: -0 is `{ float: '-0' }`). */
  decay: Json;
  /** The averages, one per parameter in order, encoded exactly (their bytes, base64). */
  averaged: Json[];
  /** The parameters' names, when every one has a distinct name: loading matches by them. */
  paramNames?: string[];
}

function checkDecay(decay: unknown): number | null {
  if (decay === null) return null;
  return checkInRange('decay', decay, 0, 1, { closed: true });
}

/**
 * An average of parameters over training, as PyTorch's `torch.optim.swa_utils.AveragedModel`:
 * stochastic weight averaging (SWA; Izmailov et al. 2018, "Averaging Weights Leads to Wider
 * Optima and Better Generalization") by default, an exponential moving average (EMA) of the
 * weights with `decay`. Call `update()` after the optimizer's steps to average (every step for
 * an EMA; once an epoch from some epoch on for SWA, usually with {@link SWALR}); evaluate with
 * the average through `copyTo(params)`. With n the updates so far and θ the parameters,
 *
 *     first update:  θ̄ ← θ
 *     SWA:           θ̄ ← θ̄ + (θ − θ̄) / (n + 1)        (the mean of the n + 1 values averaged)
 *     EMA:           θ̄ ← lerp(θ̄, θ, 1 − β) = β θ̄ + (1 − β) θ          (β = decay)
 *
 * as PyTorch 2.x's `get_swa_avg_fn` and `get_ema_multi_avg_fn` (`torch.lerp`'s formula), in
 * double precision, each average kept in its parameter's element type. The averages start as
 * copies of the parameters (PyTorch deep-copies the model), and the first update copies them
 * again. `decay` may be changed between updates; the next one checks it. `stateDict()` and
 * `loadStateDict()` save and restore the averages and the count exactly.
 *
 *     const swa = new AveragedParams(params);
 *     // each epoch from swaStart on: swa.update(); swaScheduler.step();
 *     swa.copyTo(params); // evaluate with the average
 */
export class AveragedParams {
  /** The parameters averaged, in order. */
  readonly params: readonly Param[];
  /**
   * θ̄, one array per parameter in the parameters' order, of its element type and length.
   * `loadStateDict` writes into these same arrays.
   */
  readonly averaged: readonly FloatArray[];
  /** Updates averaged so far (PyTorch's `n_averaged`): 0 until the first, which copies. */
  nAveraged = 0;
  /** β of an exponential moving average, in [0, 1], or null for SWA's equal weights. */
  decay: number | null;

  constructor(params: Iterable<Param>, options: AveragedParamsOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `Invalid options for AveragedParams: ${String(options)} (expected an object)`,
      );
    }
    checkKnownOptions(options, ['decay'], 'AveragedParams');
    this.decay = checkDecay(options.decay ?? null);
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new TypeError(
        `Invalid params for AveragedParams: ${String(params)} (expected an iterable of parameters)`,
      );
    }
    const list = [...params];
    if (list.length === 0) throw new RangeError('AveragedParams got an empty parameter list');
    checkFits(list, [], 'average');
    this.params = list;
    this.averaged = list.map((p) => p.data.slice());
  }

  /** Averages the parameters' current values in (the first update copies them). */
  update(): void {
    const decay = checkDecay(this.decay);
    const n = checkNumber('nAveraged', this.nAveraged);
    if (!numberKinds.count.accepts(n)) {
      throw new RangeError(`Invalid nAveraged: ${n} (expected ${numberKinds.count.expected})`);
    }
    checkFits(this.params, this.averaged, 'average');
    this.params.forEach((p, k) => {
      const avg = this.averaged[k];
      const x = p.data;
      if (n === 0) avg.set(x);
      else if (decay === null) {
        for (let i = 0; i < avg.length; i++) avg[i] = avg[i] + (x[i] - avg[i]) / (n + 1);
      } else {
        const weight = 1 - decay;
        for (let i = 0; i < avg.length; i++) avg[i] = lerp(avg[i], x[i], weight);
      }
    });
    this.nAveraged = n + 1;
  }

  /**
   * Writes the averages into `params` (default: the parameters averaged), to evaluate or keep
   * the averaged model. Each must fit its average (element type and length), in the same order;
   * all are checked before any is written.
   */
  copyTo(params: Iterable<Param> = this.params): void {
    const list = [...params];
    if (list.length !== this.averaged.length) {
      throw new RangeError(
        `Invalid params for copyTo: ${list.length} parameters, for ${this.averaged.length} averages`,
      );
    }
    checkFits(list, this.averaged, 'average');
    list.forEach((p, k) => {
      p.data.set(this.averaged[k]);
    });
  }

  /** The count, the decay and the averages as plain JSON, restored exactly by `loadStateDict`. */
  stateDict(): AveragedParamsStateDict {
    const { arrays, paramNames } = saveArrays(this.params, this.averaged);
    const dict: AveragedParamsStateDict = {
      nAveraged: this.nAveraged,
      decay: encode(this.decay) as Json,
      averaged: arrays,
    };
    if (paramNames !== undefined) dict.paramNames = paramNames;
    return dict;
  }

  /**
   * Restores what `stateDict` returned (also after a JSON round trip). Everything is checked
   * first (the count, the decay as the constructor checks it, one average per parameter of its
   * element type and length, matched by name when all parameters have distinct names, else by
   * position, and no other key); on any mismatch it throws a TypeError or RangeError naming it
   * and nothing changes.
   */
  loadStateDict(stateDict: unknown): void {
    if (!isRecord(stateDict) || isFloatArray(stateDict)) {
      throw new TypeError(
        `Invalid state dict: ${describeStored(stateDict)} (expected { nAveraged, decay, averaged })`,
      );
    }
    const saved = decode(stateDict, 'stateDict') as Record<string, unknown>;
    for (const key of Object.keys(saved)) {
      if (!['nAveraged', 'decay', 'averaged', 'paramNames'].includes(key)) {
        throw new TypeError(`Invalid state dict: unknown key ${JSON.stringify(key)}`);
      }
    }
    const nAveraged = checkStoredNumber(saved.nAveraged, numberKinds.count, 'nAveraged') as number;
    const decay = checkDecay(savedOption(saved, 'decay'));
    const averaged = loadArrays(saved.averaged, saved.paramNames, this.params, 'averaged');
    this.averaged.forEach((avg, k) => {
      avg.set(averaged[k] as FloatArray);
    });
    this.nAveraged = nAveraged;
    this.decay = decay;
  }
}
