import {
  checkFinite,
  checkFiniteNonNegative,
  checkFunction,
  checkOneOf,
  checkPositive,
} from '../core/validate.js';
import {
  checkCycleMomentum,
  checkReturned,
  LRScheduler,
  momentumKey,
  numbersPerGroup,
  perGroup,
  resolveOptions,
  type SchedulableOptimizer,
  setMomentum,
  startCycleMomentum,
} from './lr-scheduler.js';

/**
 * How {@link CyclicLR} scales a cycle's amplitude: 'triangular' keeps it, 'triangular2' halves it
 * every cycle, 'exp_range' multiplies it by γ at every step.
 */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

/**
 * The options of {@link CyclicLR}, PyTorch's in camelCase (`base_lr`, `max_lr`, `step_size_up`,
 * `scale_fn`, `cycle_momentum`, ...).
 */
export interface CyclicLROptions {
  /** The lower bound of the cycle, one for every group or one per group; also the starting rate. */
  baseLr: number | readonly number[];
  /** The upper bound, reached at the peak when the scale is 1. */
  maxLr: number | readonly number[];
  /** Steps going up (> 0); default 2000. */
  stepSizeUp?: number;
  /** Steps going down (> 0); default null: stepSizeUp. */
  stepSizeDown?: number | null;
  /** How the amplitude is scaled, when scaleFn is null; default 'triangular'. */
  mode?: CyclicMode;
  /** The base of 'exp_range' scaling, γ^t; default 1. */
  gamma?: number;
  /** A custom amplitude scale of the cycle number or the step (see scaleMode); overrides mode. */
  scaleFn?: ((x: number) => number) | null;
  /** What scaleFn is a function of: 'cycle' (from 1) or 'iterations' (the step); default 'cycle'. */
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle momentum (or betas[0]) inversely to the rate; default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak of the rate; default 0.8. */
  baseMomentum?: number | readonly number[];
  /** Momentum at the bottom of the rate; default 0.9. */
  maxMomentum?: number | readonly number[];
}

const modes: readonly CyclicMode[] = ['triangular', 'triangular2', 'exp_range'];

const checkFinitePositive = (option: string, value: unknown): number =>
  checkPositive(option, checkFinite(option, value));

/**
 * The cyclical learning rate policy (Smith, 2017), as PyTorch 2.x's `CyclicLR`, stepped after
 * every batch. With u = stepSizeUp, d = stepSizeDown, cycle c = ⌊1 + t/(u + d)⌋ and position
 * x = 1 + t/(u + d) − c in the cycle,
 *
 *     s = x/r if x <= r, else (x − 1)/(r − 1)              (r = u/(u + d))
 *     η_t = η_base + (η_max − η_base) · s · scale
 *     μ_t = μ_max − (μ_max − μ_base) · s · scale           (with cycleMomentum)
 *
 * where scale is 1 ('triangular'), 1/2^(c−1) ('triangular2'), γ^t ('exp_range'), or scaleFn of c
 * or t. Momentum goes to `momentum`, or to `betas[0]` for optimizers with betas (PyTorch 2.x;
 * 1.13 refused them). The constructor sets each group's lr to baseLr and momentum to maxMomentum
 * and records maxMomentum and baseMomentum on the groups, as PyTorch does. `stateDict()` leaves
 * scaleFn out.
 */
export class CyclicLR extends LRScheduler<Required<CyclicLROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: CyclicLROptions) {
    super(
      optimizer,
      resolveOptions(
        'CyclicLR',
        {
          baseLr: undefined,
          maxLr: undefined,
          stepSizeUp: 2000,
          stepSizeDown: null,
          mode: 'triangular',
          gamma: 1,
          scaleFn: null,
          scaleMode: 'cycle',
          cycleMomentum: true,
          baseMomentum: 0.8,
          maxMomentum: 0.9,
        },
        options,
      ),
    );
    this.initialStep();
    // As in PyTorch, the constructor's step scales from initialLr and the cycle from baseLr after.
    this.baseLrs = this.valuesPerGroup('baseLr');
  }

  /**
   * Every number the rates are computed from is finite: an infinite bound or gamma makes a rate
   * infinite. The step sizes also give a cycle whose fraction going up, u/(u + d), is above 0,
   * and long enough that t/(u + d) stays finite for every step t counted exactly (t < 2^53):
   * else x, and the rate, are NaN. Momenta are ones the optimizer takes (`checkCycleMomentum`).
   */
  protected validateOptions(o: Required<CyclicLROptions>): void {
    perGroup('baseLr', o.baseLr, this.optimizer, checkFiniteNonNegative);
    perGroup('maxLr', o.maxLr, this.optimizer, checkFiniteNonNegative);
    const up = checkFinitePositive('stepSizeUp', o.stepSizeUp);
    const down = o.stepSizeDown === null ? up : checkFinitePositive('stepSizeDown', o.stepSizeDown);
    const cycle = up + down;
    const problem = !Number.isFinite(cycle)
      ? 'a finite cycle, stepSizeUp + stepSizeDown'
      : !(up / cycle > 0)
        ? `stepSizeUp a fraction above 0 of the cycle, ${cycle} steps`
        : !Number.isFinite(Number.MAX_SAFE_INTEGER / cycle)
          ? `a cycle, stepSizeUp + stepSizeDown, of at least 2^53/Number.MAX_VALUE steps, so that step/cycle stays finite`
          : undefined;
    if (problem !== undefined) {
      throw new RangeError(
        `Invalid stepSizeUp: ${up} with stepSizeDown ${o.stepSizeDown} (expected ${problem}: else the rates are NaN)`,
      );
    }
    if (o.scaleFn === null) checkOneOf('mode', o.mode, modes);
    else checkFunction('scaleFn', o.scaleFn);
    checkFiniteNonNegative('gamma', o.gamma);
    checkOneOf('scaleMode', o.scaleMode, ['cycle', 'iterations']);
    checkCycleMomentum(o, this.optimizer);
  }

  protected override prepareGroups(): void {
    const baseLrs = this.valuesPerGroup('baseLr');
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = baseLrs[i];
    });
    startCycleMomentum(this.options, this.optimizer);
  }

  protected override getLr(): number[] {
    const o = this.options;
    const t = this.lastEpoch;
    const up = o.stepSizeUp;
    const total = up + (o.stepSizeDown ?? up);
    const ratio = up / total;
    const cycle = Math.floor(1 + t / total);
    const x = 1 + t / total - cycle;
    const s = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
    const scale = this.scale(t, cycle);
    const maxLrs = this.valuesPerGroup('maxLr');
    const lrs = this.baseLrs.map((base, i) => base + (maxLrs[i] - base) * s * scale);
    if (o.cycleMomentum) {
      const key = momentumKey(this.optimizer, 'cycleMomentum');
      const [base, max] = [this.valuesPerGroup('baseMomentum'), this.valuesPerGroup('maxMomentum')];
      this.optimizer.paramGroups.forEach((group, i) => {
        setMomentum(group, key, max[i] - (max[i] - base[i]) * s * scale);
      });
    }
    return lrs;
  }

  /** The amplitude scale; built-in modes fix the scale mode as PyTorch does. */
  private scale(step: number, cycle: number): number {
    const o = this.options;
    if (o.scaleFn !== null) {
      const at = o.scaleMode === 'cycle' ? cycle : step;
      return checkReturned('scaleFn', o.scaleFn(at), `${o.scaleMode} ${at}`);
    }
    if (o.mode === 'triangular') return 1;
    if (o.mode === 'triangular2') return 1 / 2 ** (cycle - 1);
    return o.gamma ** step;
  }

  private valuesPerGroup(option: 'baseLr' | 'maxLr' | 'baseMomentum' | 'maxMomentum'): number[] {
    return numbersPerGroup(option, this.options[option], this.optimizer);
  }
}
