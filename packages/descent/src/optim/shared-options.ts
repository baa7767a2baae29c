import type { OptionSpec } from '../core/spec.js';

/**
 * The options many optimizers share, for their specs (`SGD.spec`, ...): the range, scale and
 * PyTorch name of each written once; every optimizer gives its own default, and its own summary
 * where the option means more there.
 */

/** An option as a spec's source gives it (see `defineSpec`). */
type Shared<V> = Omit<OptionSpec, 'name' | 'default'> & { readonly default: V };

/** γ, the learning rate: finite, >= 0. */
export function lrOption(value: number, summary = 'γ, the learning rate'): Shared<number> {
  return {
    summary,
    type: 'number',
    default: value,
    min: 0,
    scale: 'log',
    reference: 'lr',
    label: 'learning rate',
  };
}

/** ε, kept from dividing by zero: finite, >= 0. */
export function epsOption(value: number, summary: string): Shared<number> {
  return {
    summary,
    type: 'number',
    default: value,
    min: 0,
    scale: 'log',
    reference: 'eps',
    label: 'epsilon value',
  };
}

/** λ, the L2 penalty: finite, >= 0, and lr·weightDecay <= 1 (checked with lr). */
export function weightDecayOption(
  value: number,
  summary = 'λ, an L2 penalty: λθ is added to the gradient (lr · weightDecay <= 1)',
): Shared<number> {
  return {
    summary,
    type: 'number',
    default: value,
    min: 0,
    scale: 'log',
    reference: 'weight_decay',
    label: 'weight_decay value',
  };
}

/** A coefficient in [0, 1] (momentum, dampening, a smoothing constant), linear. */
export function unitOption(value: number, summary: string, reference: string): Shared<number> {
  const label = `${reference} value`;
  return {
    summary,
    type: 'number',
    default: value,
    min: 0,
    max: 1,
    scale: 'linear',
    reference,
    label,
  };
}

/** A finite number >= 0 on a log scale (a decay, an accumulator's start), with PyTorch's name. */
export function decayOption(value: number, summary: string, reference: string): Shared<number> {
  return {
    summary,
    type: 'number',
    default: value,
    min: 0,
    scale: 'log',
    reference,
    label: `${reference} value`,
  };
}

/** (β₁, β₂) of the Adam family: each in [0, 1). */
export function betasOption(
  summary = '(β₁, β₂), the decay rates of the running means of the gradient and of its square',
): Shared<[number, number]> {
  return {
    summary,
    type: 'pair',
    default: [0.9, 0.999],
    min: 0,
    max: 1,
    maxExclusive: true,
    scale: 'linear',
    reference: 'betas',
    label: 'beta parameter',
  };
}

/** A boolean option, false unless given. */
export function flagOption(summary: string, reference?: string): Shared<boolean> {
  return {
    summary,
    type: 'boolean',
    default: false,
    ...(reference === undefined ? {} : { reference }),
  };
}

/** Maximize the objective instead of minimizing it. */
export const maximizeOption: Shared<boolean> = flagOption(
  'maximize the objective instead of minimizing it (the gradient’s sign flips)',
  'maximize',
);

/** Decoupled weight decay, AdamW's: θ ← (1 − γλ) θ instead of λθ added to the gradient. */
export const decoupledWeightDecayOption: Shared<boolean> = flagOption(
  'decay the weights directly, θ ← (1 − γλ) θ, instead of adding λθ to the gradient (AdamW)',
  'decoupled_weight_decay',
);
