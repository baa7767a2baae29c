import type { Optimizer, Param } from 'descent';
import * as optim from 'descent';
import { closestName } from 'descent';
import type { MakeOptimizer } from './trace.js';

type OptimizerClass = new (params: Param[], options?: object) => Optimizer<object>;

/**
 * The chapter's optimizers by the names the lab and `descent compare` use, with the settings of
 * the book's from-scratch versions: its ε values, its γ and ρ, and the learning rate it uses on
 * the airfoil data with batches of 10. Every other optimizer of descent is available under its
 * class name in lower case, with PyTorch's defaults.
 */
interface BookOptimizer {
  className: string;
  options: Record<string, number>;
}
const book = new Map<string, BookOptimizer>([
  ['sgd', { className: 'SGD', options: { lr: 0.05 } }],
  ['momentum', { className: 'SGD', options: { lr: 0.005, momentum: 0.9 } }],
  ['adagrad', { className: 'Adagrad', options: { lr: 0.1, eps: 1e-6 } }],
  ['rmsprop', { className: 'RMSprop', options: { lr: 0.01, alpha: 0.9, eps: 1e-6 } }],
  ['adadelta', { className: 'Adadelta', options: { lr: 1, rho: 0.9, eps: 1e-5 } }],
  ['adam', { className: 'Adam', options: { lr: 0.01, eps: 1e-6 } }],
  ['yogi', { className: 'Yogi', options: { lr: 0.01, eps: 1e-3 } }],
]);

/** Optimizers that need more than a gradient, which a plain training loop does not give. */
const unsupported = new Map<string, string>([
  ['lbfgs', 'LBFGS needs a closure that re-evaluates the loss'],
  ['newton', 'Newton needs a Hessian'],
]);

function classes(): Map<string, OptimizerClass> {
  const found = new Map<string, OptimizerClass>();
  for (const [name, value] of Object.entries(optim)) {
    if (typeof value === 'function' && value.prototype instanceof optim.Optimizer) {
      found.set(name.toLowerCase(), value as unknown as OptimizerClass);
    }
  }
  return found;
}

/** Every name `resolveOptimizer` accepts: the book's first, then descent's other optimizers. */
export function optimizerNames(): string[] {
  const others = [...classes().keys()].filter((name) => !book.has(name) && !unsupported.has(name));
  return [...book.keys(), ...others.sort()];
}

export interface ResolvedOptimizer {
  name: string;
  /** descent's class, e.g. "Adam". */
  className: string;
  /** The options it is built with: the book's, then the overrides. */
  settings: Record<string, number>;
  make: MakeOptimizer;
}

/** "did you mean adam? " when a valid name is close to `name`, else "". */
export function hint(name: string, valid: readonly string[]): string {
  const closest = closestName(name, valid);
  return closest === undefined ? '' : `did you mean ${closest}? `;
}

/** An optimizer by name (case-insensitive), with `overrides` over the book's settings. */
export function resolveOptimizer(
  name: string,
  overrides: Record<string, number> = {},
): ResolvedOptimizer {
  const key = name.toLowerCase();
  const why = unsupported.get(key);
  if (why !== undefined)
    throw new RangeError(`Unsupported optimizer: ${JSON.stringify(name)} (${why})`);
  const all = classes();
  const found = all.get(key);
  const entry =
    book.get(key) ?? (found === undefined ? undefined : { className: found.name, options: {} });
  if (entry === undefined) {
    const valid = optimizerNames();
    throw new RangeError(
      `Unknown optimizer: ${JSON.stringify(name)} (${hint(key, valid)}expected one of ${valid.join(', ')})`,
    );
  }
  const Class = all.get(entry.className.toLowerCase())!;
  const settings = { ...entry.options, ...overrides };
  // Built once here so that a bad option fails now, naming itself, rather than mid-run.
  new Class([{ data: new Float64Array(1), grad: null }], settings);
  return {
    name: key,
    className: entry.className,
    settings,
    make: (params) => new Class(params, settings),
  };
}
