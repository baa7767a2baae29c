import type { OptionSpecs } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import { numberKinds } from '../core/serialize.js';
import { checkWeightDecay } from '../core/validate.js';
import { type ScheduleFreeScalars, scheduleFreeMoveKernel } from '../kernels/schedule-free.js';
import { batch } from '../kernels/wasm/batch.js';
import {
  type Closure,
  checkStateArray,
  type GroupState,
  type GroupStateSpec,
  groupStateEntry,
  Optimizer,
  type ParamGroup,
  type ParamState,
} from './optimizer.js';
import { weightDecayOption } from './shared-options.js';

/** The options both Schedule-Free optimizers take, the reference's in camelCase. */
export interface ScheduleFreeOptions {
  /** The learning rate γ. Default 0.0025 (AdamW), 1 (SGD); finite, >= 0. */
  lr: number;
  /**
   * λ: λ y (y, the point where gradients are taken) is added to the step direction, the
   * normalized gradient for AdamW. Default 0; finite, >= 0, with lr · weightDecay <= 1.
   * Reference: `weight_decay`.
   */
  weightDecay: number;
  /**
   * Linear warmup: γ_t = γ · t / warmupSteps for the first warmupSteps steps. Default 0; an
   * integer >= 0. Reference: `warmup_steps`.
   */
  warmupSteps: number;
  /** r: step t weighs t^r in the average (polynomial weighting). Default 0; finite, >= 0. */
  r: number;
  /**
   * Step t weighs γ_max^weightLrPower in the average, γ_max the largest γ_t so far (so that the
   * warmup's small steps count little). Default 2; finite, >= 0 (0: no weighting). Reference:
   * `weight_lr_power`.
   */
  weightLrPower: number;
}

/** The spec entries of the options both take (see `ScheduleFreeOptions`). */
export const scheduleFreeOptionSpecs: Omit<OptionSpecs<ScheduleFreeOptions>, 'lr'> = {
  weightDecay: weightDecayOption(0, 'λ, decay at y: λy joins the step direction'),
  warmupSteps: {
    summary: 'steps of linear warmup of γ',
    type: 'integer',
    default: 0,
    min: 0,
    scale: 'linear',
    reference: 'warmup_steps',
  },
  r: {
    summary: 'r, the power of t in the weights of the average',
    type: 'number',
    default: 0,
    min: 0,
    scale: 'linear',
    reference: 'r',
  },
  weightLrPower: {
    summary: 'the power of the largest γ so far in the weights of the average',
    type: 'number',
    default: 2,
    min: 0,
    scale: 'linear',
    reference: 'weight_lr_power',
  },
};

/**
 * Base of Schedule-Free SGD and AdamW (Defazio et al. 2024, "The Road Less Scheduled"), as the
 * authors' `schedule_free` package: the parameters hold y, the point where gradients are taken,
 * interpolated between the base sequence z (per-parameter state) and the average x,
 * y = (1 − β) z + β x; `eval()` moves them to x, the point to evaluate and to keep, and
 * `train()` back to y. A step needs train mode.
 *
 * Each group keeps its own state (`groupState`): k, its step count; weightSum, the sum of the
 * weights of the average; lrMax, the largest γ_t so far (−1 before the first step); trainMode.
 */
export abstract class ScheduleFreeOptimizer<O extends ScheduleFreeOptions> extends Optimizer<O> {
  /** The scalars of the group being stepped, computed once per group by `stepGroup`. @internal */
  protected scalars: ScheduleFreeScalars = { lr: 0, ckp1: 0, beta: 0, weightDecay: 0 };

  /** β of y = (1 − β) z + β x: AdamW's β₁, SGD's momentum. */
  protected abstract interpolation(group: ParamGroup<O>): number;

  /** Checks every option against the class's spec, and weight decay against the learning rate. */
  protected override validateOptions(o: O): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  protected override groupStateSpec(): GroupStateSpec {
    return {
      k: groupStateEntry.number(numberKinds.count),
      weightSum: groupStateEntry.number(numberKinds.nonNegative),
      lrMax: groupStateEntry.number(numberKinds.finite),
      trainMode: groupStateEntry.flag,
    };
  }

  /**
   * The reference's group defaults, except the mode: it starts in eval mode and refuses a step
   * until `train()`. Before a parameter's first step x, y and z coincide, so train mode is
   * where a group starts here (whatever the other groups' mode, which it then takes).
   */
  protected override initGroupState(): GroupState {
    return { k: 0, weightSum: 0, lrMax: -1, trainMode: true };
  }

  /** z starts at the parameter (y, train mode being required for a step). */
  protected override initState(p: Param): ParamState {
    const z = this.zerosLike(p);
    z.set(p.data);
    return { z };
  }

  /** Whether every group is in train mode (the parameters at y), as a step needs. */
  get training(): boolean {
    return this.paramGroups.every((group) => this.groupStateOf(group).trainMode);
  }

  /**
   * Moves the parameters to y, where gradients are taken (the reference's `train()`): each
   * group in eval mode, x ← lerp(x, z, 1 − β). Call it before training.
   */
  train(): void {
    this.moveTo(true);
  }

  /**
   * Moves the parameters to x, the average, to evaluate or save the model (the reference's
   * `eval()`): each group in train mode, y ← lerp(y, z, 1 − 1/β).
   */
  eval(): void {
    this.moveTo(false);
  }

  private moveTo(train: boolean): void {
    // Checked whole before any parameter moves: every group's options, and each z of its
    // parameter's type and length.
    this.paramGroups.forEach((group, g) => {
      this.checkGroupOptions(group);
      group.params.forEach((p, k) => {
        const z = this.state.get(p)?.z;
        if (z !== undefined) {
          checkStateArray(p, z as FloatArray, `z of paramGroups[${g}].params[${k}]`);
        }
      });
    });
    for (const group of this.paramGroups) {
      const state = this.groupStateOf(group);
      if (state.trainMode === train) continue;
      const beta = this.interpolation(group);
      const weight = train ? 1 - beta : 1 - 1 / beta;
      batch(() => {
        for (const p of group.params) {
          const z = this.state.get(p)?.z as FloatArray | undefined;
          if (z !== undefined) scheduleFreeMoveKernel(p.data, z, weight);
        }
      });
      state.trainMode = train;
    }
  }

  /** A step in eval mode is refused, as the reference's: the parameters hold x, not y. */
  override step(closure?: Closure): number | undefined {
    if (!this.training) {
      throw new Error(
        `${this.constructor.name} is in eval mode: call train() before step() (and eval() before evaluating or saving)`,
      );
    }
    return super.step(closure);
  }

  /**
   * The group's scalars, as the reference computes them before its parameters:
   * γ_t = γ · min(1, t / warmupSteps), γ_max = max(γ_max, γ_t), w_t = t^r · γ_max^weightLrPower,
   * c = w_t / Σ w (0 while Σ w is 0); then every parameter, then k ← k + 1.
   */
  protected override stepGroup(group: ParamGroup<O>): void {
    const state = this.groupStateOf(group);
    const t = (state.k as number) + 1;
    const sched = t - 1 < group.warmupSteps ? t / group.warmupSteps : 1;
    const lr = group.lr * sched;
    const lrMax = Math.max(lr, state.lrMax as number);
    const weight = t ** group.r * lrMax ** group.weightLrPower;
    const weightSum = (state.weightSum as number) + weight;
    state.lrMax = lrMax;
    state.weightSum = weightSum;
    const ckp1 = weightSum === 0 ? 0 : weight / weightSum;
    this.scalars = { lr, ckp1, beta: this.interpolation(group), weightDecay: group.weightDecay };
    this.prepareGroup(group, t);
    super.stepGroup(group);
    state.k = t;
  }

  /** What a subclass computes once per group before its parameters (AdamW's bias correction). */
  protected prepareGroup(_group: ParamGroup<O>, _t: number): void {}
}
