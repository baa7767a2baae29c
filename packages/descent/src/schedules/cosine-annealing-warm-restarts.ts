import { numberKinds } from '../core/serialize.js';
import { checkFiniteNonNegative, checkSafeInteger } from '../core/validate.js';
import {
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
  type StateKinds,
} from './lr-scheduler.js';

/**
 * The options of {@link CosineAnnealingWarmRestarts}, PyTorch's in camelCase (`T_0`, `T_mult`,
 * `eta_min`).
 */
export interface CosineAnnealingWarmRestartsOptions {
  /** Steps of the first cycle (an integer >= 1). */
  T0: number;
  /** Each cycle is TMult times longer than the one before (an integer >= 1); default 1. */
  TMult?: number;
  /** η_min, the rate each cycle anneals to before the restart (>= 0); default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing with warm restarts (SGDR), as PyTorch's `CosineAnnealingWarmRestarts`:
 *
 *     η_t = η_min + (η₀ − η_min)(1 + cos(π T_cur/T_i))/2
 *
 * where T_cur counts the steps since the last restart and T_i, the current cycle's length, starts
 * at T0 and is multiplied by TMult at each restart. The same values at any step, without an
 * optimizer: the pure schedule `sgdr`. PyTorch's `step(epoch)` with a fractional epoch is not
 * offered; evaluate `sgdr` instead.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler<
  Required<CosineAnnealingWarmRestartsOptions>
> {
  /** The current cycle's length (PyTorch's T_i). */
  Ti: number;
  /** Steps since the last restart (PyTorch's T_cur). */
  TCur: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(
      optimizer,
      resolveOptions(
        'CosineAnnealingWarmRestarts',
        { T0: undefined, TMult: 1, etaMin: 0 },
        options,
      ),
    );
    this.Ti = this.options.T0;
    this.TCur = -1;
    this.initialStep();
  }

  /**
   * T0 and TMult are exact integers, so every period is: T0·TMult^k, reached after more than
   * T0·TMult^(k−1) steps, stays finite (below 2^53·TMult) while steps are counted exactly. The
   * rate anneals towards etaMin: an infinite one makes it infinite.
   */
  protected validateOptions(o: Required<CosineAnnealingWarmRestartsOptions>): void {
    checkSafeInteger('T0', o.T0, 1);
    checkSafeInteger('TMult', o.TMult, 1);
    checkFiniteNonNegative('etaMin', o.etaMin);
  }

  /** Ti, the period, is an integer >= 1 (past 2^53 after restarts), TCur a count below it. */
  protected override stateKinds(): StateKinds {
    return { ...super.stateKinds(), Ti: numberKinds.length, TCur: numberKinds.count };
  }

  protected override checkLoadedState(
    _options: Required<CosineAnnealingWarmRestartsOptions>,
    state: Record<string, unknown>,
  ): void {
    const { Ti, TCur } = state as { Ti: number; TCur: number };
    if (TCur >= Ti) {
      throw new RangeError(
        `Invalid state dict: TCur is ${TCur}, not below Ti (${Ti}): a step restarts the period when it gets there`,
      );
    }
  }

  override step(): void {
    this.advance(this.lastEpoch + 1, () => {
      if (this.lastEpoch === 0) {
        this.Ti = this.options.T0;
        this.TCur = 0;
      } else {
        this.TCur += 1;
        if (this.TCur >= this.Ti) {
          this.TCur %= this.Ti;
          this.Ti *= this.options.TMult;
        }
      }
      return this.getLr();
    });
  }

  protected override getLr(): number[] {
    const { etaMin } = this.options;
    return this.baseLrs.map(
      (base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.TCur) / this.Ti))) / 2,
    );
  }

  protected override state(): Record<string, unknown> {
    return { ...super.state(), Ti: this.Ti, TCur: this.TCur };
  }
}
