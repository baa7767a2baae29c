import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import { numberKinds } from '../core/serialize.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { SumsWorkspace } from '../kernels/partial-sums.js';
import {
  type ProdigyMomentScalars,
  prodigyMomentsKernel,
  prodigyStepKernel,
  prodigySums,
} from '../kernels/prodigy.js';
import { batch } from '../kernels/wasm/batch.js';
import { arenaGradient } from '../kernels/wasm/staging.js';
import {
  type Closure,
  type GroupState,
  type GroupStateSpec,
  groupStateEntry,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import {
  betasOption,
  epsOption,
  flagOption,
  lrOption,
  weightDecayOption,
} from './shared-options.js';

/** The options of {@link Prodigy}, the reference's in camelCase. */
export interface ProdigyOptions {
  /**
   * γ, a factor on the estimated step size d (leave it at 1 unless the run is unstable). Default 1;
   * finite, >= 0; a group's scales its own steps and its part of d's sums (0: it is frozen).
   */
  lr: number;
  /**
   * (β₁, β₂): the decay rates of the running means of the gradient and of its square. Default
   * [0.9, 0.999]; each in [0, 1) (β₁ = 0 keeps no first moment). The same in every group.
   */
  betas: [number, number];
  /**
   * β₃, the decay of the running sums that estimate d; null, the default, takes √β₂. In [0, 1];
   * the same in every group.
   */
  beta3: number | null;
  /** ε, d ε is added to the root of the second moment. Default 1e-8; finite, > 0. */
  eps: number;
  /**
   * λ: weight decay, decoupled (θ ← θ − λ d γ θ) or an L2 penalty (λ θ added to the gradient).
   * Default 0; finite, >= 0, with lr · weightDecay <= 1. Reference: `weight_decay`.
   */
  weightDecay: number;
  /** Decouple the weight decay, as AdamW. Default true; the same in every group. */
  decouple: boolean;
  /**
   * Adam's bias correction, √(1 − β₂ᵗ) / (1 − β₁ᵗ) on the step. Default false; the same in every
   * group. Reference: `use_bias_correction`.
   */
  useBiasCorrection: boolean;
  /**
   * Leave γ out of the sums' weight (s's), against a d that is too small during a warmup of γ.
   * Default false. Reference: `safeguard_warmup`.
   */
  safeguardWarmup: boolean;
  /** d₀, the first estimate of d. Default 1e-6; finite, > 0; the same in every group. */
  d0: number;
  /**
   * A factor on the estimate of d: the preferred way to tune Prodigy (0.5 and 2 usually work
   * too). Default 1; finite, > 0; the same in every group. Reference: `d_coef`.
   */
  dCoef: number;
  /**
   * The most d may grow in a step, as a factor (1.02 gives a kind of warmup). Default Infinity;
   * >= 1; the same in every group. Reference: `growth_rate`.
   */
  growthRate: number;
}

/** The options the step size d depends on, which every group must share. */
const sharedOptions = [
  'betas',
  'beta3',
  'decouple',
  'useBiasCorrection',
  'd0',
  'dCoef',
  'growthRate',
] as const;

/**
 * Prodigy (Mishchenko and Defazio 2024, "Prodigy: An Expeditiously Adaptive Parameter-Free
 * Learner"), as the authors' `prodigyopt` package (prodigyopt/prodigy.py, commit 3efb213): Adam
 * whose step size d is estimated from the distance travelled, ⟨g, θ₀ − θ⟩, against a running sum
 * of gradients. One d is shared by every parameter, as in the reference, which sums over all its
 * groups (and so requires the options d depends on to agree between groups). With t = k + 1,
 * γ the group's lr, b = √(1 − β₂ᵗ) / (1 − β₁ᵗ) (1 without useBiasCorrection):
 *
 *     g_t = ∇f(θ_{t-1}) (+ λ θ_{t-1} when coupled)                  dlr = d_t γ b
 *     m_t = β₁ m_{t-1} + d_t (1 − β₁) g_t,    v_t = β₂ v_{t-1} + d_t² (1 − β₂) g_t²
 *     s_t = β₃ s_{t-1} + (d_t / d₀) · (d_t if safeguardWarmup else dlr) · g_t
 *     r_t = β₃ r_{t-1} + (d_t / d₀) · dlr · ⟨g_t, θ₀ − θ_{t-1}⟩      (sums over all parameters)
 *     d̂ = dCoef · r_t / Σ|s_t|;  d = max(d, d̂) while d = d₀;  d_max = max(d_max, d̂)
 *     d_{t+1} = min(d_max, d_t · growthRate)
 *     θ_t = θ_{t-1} (1 − λ dlr) − dlr · m_t / (√v_t + d_{t+1} ε)   (decoupled λ)
 *
 * (β₁ = 0: no m, the step is dlr · d_{t+1} · g_t / (√v_t + d_{t+1} ε).) A step whose Σ|s| is 0
 * updates the moments and stops there, as the reference's. The reference takes one lr for all
 * groups, the largest, and refuses a group with another unless it is 0; here each group's lr
 * scales its own dlr, which is the reference's step whenever the groups share one lr. A group
 * with lr 0 adds nothing to the sums and does not move (the reference still applies to it the
 * decoupled decay and, with β₁ = 0, the gradient step, at the others' dlr). The reference's
 * fsdp_in_use and slice_p (1 here) are not options.
 *
 * State: step, s, p0 (θ₀), expAvg (m, when β₁ > 0), expAvgSq (v) per parameter; per group
 * (`groupState`, the same in every group, as the reference keeps it) k, d, dMax and dNumerator (r).
 * Defaults (the reference's): lr 1, betas [0.9, 0.999], beta3 null (√β₂), eps 1e-8,
 * weightDecay 0, decouple true, useBiasCorrection false, safeguardWarmup false, d0 1e-6, dCoef 1,
 * growthRate Infinity.
 */
export class Prodigy extends Optimizer<ProdigyOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<ProdigyOptions>({
    name: 'Prodigy',
    kind: 'optimizer',
    summary: 'Adam with its step size d estimated from the distance travelled (parameter-free)',
    reference: "prodigyopt's Prodigy (Mishchenko and Defazio 2024)",
    options: {
      lr: lrOption(1, 'γ, a factor on the estimated step size d'),
      betas: betasOption(),
      beta3: {
        summary: 'β₃, the decay of the sums that estimate d (null: √β₂)',
        type: 'number',
        default: null,
        nullable: true,
        min: 0,
        max: 1,
        scale: 'linear',
        reference: 'beta3',
      },
      eps: {
        ...epsOption(1e-8, 'ε, dε is added to the root of the second moment'),
        minExclusive: true,
      },
      weightDecay: weightDecayOption(0, 'λ, weight decay (decoupled: θ ← θ − λ d γ θ)'),
      decouple: {
        ...flagOption('decouple the weight decay, as AdamW', 'decouple'),
        default: true,
      },
      useBiasCorrection: flagOption('Adam’s bias correction on the step', 'use_bias_correction'),
      safeguardWarmup: flagOption('leave γ out of the weight of the sums', 'safeguard_warmup'),
      d0: {
        summary: 'd₀, the first estimate of d',
        type: 'number',
        default: 1e-6,
        min: 0,
        minExclusive: true,
        scale: 'log',
        reference: 'd0',
        label: 'd0 value',
      },
      dCoef: {
        summary: 'a factor on the estimate of d',
        type: 'number',
        default: 1,
        min: 0,
        minExclusive: true,
        scale: 'log',
        reference: 'd_coef',
      },
      growthRate: {
        summary: 'the most d may grow in a step, as a factor',
        type: 'number',
        default: Infinity,
        min: 1,
        infinite: true,
        scale: 'log',
        reference: 'growth_rate',
      },
    },
  });

  constructor(params: ParamsInput<ProdigyOptions>, options: Partial<ProdigyOptions> = {}) {
    super(params, options, defaultsOf(Prodigy.spec));
  }

  protected override validateOptions(o: ProdigyOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  /** d is one for all groups: the options it depends on agree. */
  protected override validateGroups(groups: readonly ParamGroup<ProdigyOptions>[]): void {
    const first = groups[0];
    groups.forEach((group, g) => {
      for (const key of sharedOptions) {
        if (JSON.stringify(group[key]) !== JSON.stringify(first[key])) {
          throw new RangeError(
            `Invalid ${key} of paramGroups[${g}]: ${JSON.stringify(group[key])} (Prodigy's step size d is shared by every group: expected paramGroups[0]'s, ${JSON.stringify(first[key])})`,
          );
        }
      }
    });
  }

  protected override groupStateSpec(): GroupStateSpec {
    return {
      k: groupStateEntry.number(numberKinds.count),
      d: groupStateEntry.number(numberKinds.positive),
      dMax: groupStateEntry.number(numberKinds.positive),
      dNumerator: groupStateEntry.number(numberKinds.finite),
    };
  }

  protected override initGroupState(group: ParamGroup<ProdigyOptions>): GroupState {
    return { k: 0, d: group.d0, dMax: group.d0, dNumerator: 0 };
  }

  protected override initState(p: Param, group: ParamGroup<ProdigyOptions>): ParamState {
    const p0 = this.zerosLike(p);
    p0.set(p.data);
    const state: ParamState = { step: 0, s: this.zerosLike(p), p0 };
    if (group.betas[0] > 0) state.expAvg = this.zerosLike(p);
    state.expAvgSq = this.zerosLike(p);
    return state;
  }

  /** expAvg exists once β₁ has been above 0. */
  protected override stateSpec(): StateSpec {
    return {
      step: stateEntry.count,
      s: stateEntry.array(),
      p0: stateEntry.array(),
      expAvg: stateEntry.optional(stateEntry.array()),
      expAvgSq: stateEntry.array({ nonNegative: true }),
    };
  }

  /** The first moment, made when β₁ > 0 (it may have been 0 when the state was made). */
  private expAvgOf(p: Param, state: ParamState, beta1: number): FloatArray | null {
    if (beta1 === 0) return null;
    state.expAvg ??= this.zerosLike(p);
    return state.expAvg as FloatArray;
  }

  /**
   * Both passes over every group, as the reference: the moments and the sums of d's estimate,
   * then d, then the parameters. Everything is checked first.
   */
  /** Where the first pass leaves each tensor's sums (src/kernels/partial-sums.ts). */
  private readonly sums = new SumsWorkspace();

  /**
   * Two passes over every group, each one batch of kernel rows: the moments and the sums of d's
   * estimate for every tensor, then, with the new d, every step.
   */
  override step(closure?: Closure): number | undefined {
    const loss = closure === undefined ? undefined : closure();
    this.checkBeforeStep();
    const first = this.paramGroups[0];
    const shared = this.groupStateOf(first);
    const [beta1, beta2] = first.betas;
    const beta3 = first.beta3 ?? Math.sqrt(beta2);
    const k = shared.k as number;
    let d = shared.d as number;
    let dMax = shared.dMax as number;
    const biasCorrection = first.useBiasCorrection
      ? (1 - beta2 ** (k + 1)) ** 0.5 / (1 - beta1 ** (k + 1))
      : 1;
    // d γ b of each group, with its own γ (the reference's one lr for all: see the class).
    const dlrs = this.paramGroups.map((group) => d * group.lr * biasCorrection);
    // Each group's parameters with a gradient, and the gradient its kernels read (in the arena).
    const stepped = this.paramGroups.map((group) =>
      group.params.flatMap((p) =>
        p.grad === null ? [] : [{ p, grad: arenaGradient(p, p.data, p.grad) }],
      ),
    );
    const summed = this.paramGroups.flatMap((group, g) => (group.lr > 0 ? stepped[g] : []));
    const sums = this.sums.views(summed.map(({ p }) => p.data.length));
    const firstPasses: { sums: Float64Array; scalars: ProdigyMomentScalars }[] = [];
    batch(() => {
      this.paramGroups.forEach((group, g) => {
        const ratio = d / group.d0;
        const scalars: ProdigyMomentScalars = {
          coupledDecay: first.decouple ? 0 : group.weightDecay,
          beta1,
          beta2,
          beta3,
          d,
          numeratorWeight: ratio * dlrs[g],
          sWeight: ratio * (group.safeguardWarmup ? d : dlrs[g]),
        };
        for (const { p, grad } of stepped[g]) {
          const state = this.stateOf(p, group);
          const expAvg = this.expAvgOf(p, state, beta1);
          if (group.lr <= 0) continue;
          const blockSums = sums[firstPasses.length];
          firstPasses.push({ sums: blockSums, scalars });
          const { p0, s, expAvgSq } = state as Record<string, FloatArray>;
          prodigyMomentsKernel(p.data, grad, p0, s, expAvg, expAvgSq, blockSums, scalars);
        }
      });
    });
    let deltaNumerator = 0;
    let dDenom = 0;
    for (const pass of firstPasses) {
      const part = prodigySums(pass.sums, pass.scalars);
      deltaNumerator += part.numerator;
      dDenom += part.denominator;
    }
    // No progress to measure (every gradient zero, or none): the reference stops here.
    if (dDenom === 0) return loss;
    const numerator = (shared.dNumerator as number) * beta3 + deltaNumerator;
    const dHat = (first.dCoef * numerator) / dDenom;
    if (d === first.d0) d = Math.max(d, dHat);
    dMax = Math.max(dMax, dHat);
    d = Math.min(dMax, d * first.growthRate);
    batch(() => {
      this.paramGroups.forEach((group, g) => {
        const state = this.groupStateOf(group);
        state.dNumerator = numerator;
        state.d = d;
        state.dMax = dMax;
        const decay = group.weightDecay;
        for (const { p, grad } of stepped[g]) {
          const ps = this.stateOf(p, group);
          ps.step = (ps.step as number) + 1;
          prodigyStepKernel(p.data, grad, this.expAvgOf(p, ps, beta1), ps.expAvgSq as FloatArray, {
            coupledDecay: first.decouple ? 0 : decay,
            decoupledDecay: first.decouple ? decay : 0,
            dlr: dlrs[g],
            d,
            eps: group.eps,
          });
        }
        state.k = (state.k as number) + 1;
      });
    });
    return loss;
  }
}
