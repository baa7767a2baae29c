import * as descent from 'descent';
import {
  type AlgorithmSpec,
  closestName,
  type Optimizer,
  type OptionSpec,
  type OptionValue,
  optimizerSpecs,
  type Param,
} from 'descent';
import type { MakeOptimizer } from './trace.js';

type OptimizerClass = new (params: Param[], options?: object) => Optimizer<object>;

/** An optimizer's options by name, as the lab builds it with them. */
export type Settings = Record<string, OptionValue>;

/**
 * The chapter's optimizers by the names the lab and `descent compare` use, with the settings of
 * the book's from-scratch versions: its ε values, its γ and ρ, and the learning rate it uses on
 * the airfoil data with batches of 10. Every other optimizer of descent (`optimizerSpecs`) is
 * available under its class name in lower case, with its own defaults.
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

/**
 * Why a training loop that only computes gradients cannot drive the optimizer, from its spec: it
 * needs a closure (L-BFGS), or a required function such as Newton's Hessian; else undefined.
 */
function unsupported(spec: AlgorithmSpec): string | undefined {
  if (spec.needsClosure) return `${spec.name} needs a closure that re-evaluates the loss`;
  const needed = spec.options.find((o) => o.type === 'function' && o.default === undefined);
  return needed === undefined
    ? undefined
    : `${spec.name} needs ${needed.name}, a function no command line gives (${needed.summary})`;
}

/** Every spec by the lab's name of its optimizer: its class name in lower case. */
const specs = new Map(optimizerSpecs.map((spec) => [spec.name.toLowerCase(), spec]));

/** Every name `resolveOptimizer` accepts: the book's first, then descent's other optimizers. */
export function optimizerNames(): string[] {
  const others = [...specs]
    .filter(([name, spec]) => !book.has(name) && unsupported(spec) === undefined)
    .map(([name]) => name);
  return [...book.keys(), ...others.sort()];
}

export interface ResolvedOptimizer {
  name: string;
  /** descent's class, e.g. "Adam". */
  className: string;
  /** Its spec: every option it takes, with its default and range. */
  spec: AlgorithmSpec;
  /** The options it is built with: the book's, then the overrides. */
  settings: Settings;
  make: MakeOptimizer;
}

/** "did you mean adam? " when a valid name is close to `name`, else "". */
export function hint(name: string, valid: readonly string[]): string {
  const closest = closestName(name, valid);
  return closest === undefined ? '' : `did you mean ${closest}? `;
}

/** The spec of an optimizer by the lab's name of it (case-insensitive). */
function specOf(name: string): { key: string; spec: AlgorithmSpec; entry: BookOptimizer } {
  const key = name.toLowerCase();
  const entry = book.get(key);
  const spec = specs.get(entry?.className.toLowerCase() ?? key);
  if (spec === undefined) {
    const valid = optimizerNames();
    throw new RangeError(
      `Unknown optimizer: ${JSON.stringify(name)} (${hint(key, valid)}expected one of ${valid.join(', ')})`,
    );
  }
  const why = unsupported(spec);
  if (why !== undefined) {
    throw new RangeError(`Unsupported optimizer: ${JSON.stringify(name)} (${why})`);
  }
  return { key, spec, entry: entry ?? { className: spec.name, options: {} } };
}

/** An optimizer by name (case-insensitive), with `overrides` over the book's settings. */
export function resolveOptimizer(name: string, overrides: Settings = {}): ResolvedOptimizer {
  const { key, spec, entry } = specOf(name);
  const Class = (descent as unknown as Record<string, OptimizerClass>)[spec.name];
  const settings = { ...entry.options, ...overrides };
  // Built once here so that a bad option fails now, naming itself, rather than mid-run.
  new Class([{ data: new Float64Array(1), grad: null }], settings);
  return {
    name: key,
    className: spec.name,
    spec,
    settings,
    make: (params) => new Class(params, settings),
  };
}

/** Option names compare without case, dashes or underscores: weight-decay finds weightDecay. */
const normalize = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

/**
 * A value of `option` as a command line writes it, parsed by the option's type: a number, a list
 * of numbers separated by commas (betas=0.9,0.99), true or false, one of its choices (null for
 * null; null for a number that may be null, as Prodigy's beta3). Its range is the optimizer's to check, as it checks any option.
 */
function parseValue(option: OptionSpec, text: string, flag: string): OptionValue {
  const numberOf = (item: string): number => {
    const value = Number(item);
    if (item.trim() === '' || Number.isNaN(value)) {
      throw new TypeError(`Invalid ${flag}: ${JSON.stringify(text)} (expected a number)`);
    }
    return value;
  };
  switch (option.type) {
    case 'number':
    case 'integer':
      return text === 'null' && option.nullable ? null : numberOf(text);
    case 'pair':
    case 'numbers':
      return text.split(',').map(numberOf);
    case 'boolean':
      if (text !== 'true' && text !== 'false') {
        throw new TypeError(`Invalid ${flag}: ${JSON.stringify(text)} (expected true or false)`);
      }
      return text === 'true';
    case 'choice':
      return text === 'null' && option.choices?.includes(null) ? null : text;
    case 'function':
      throw new RangeError(`Invalid ${flag}: ${option.name} is a function, which no command sets`);
  }
}

/**
 * The options `settings` (each `option=value`, or `optimizer.option=value` for one optimizer
 * alone) give each of `optimizers` (names `resolveOptimizer` knows), parsed by the type each
 * optimizer's spec gives the option. An unscoped option goes to every optimizer that takes it;
 * one that none of them takes, or a malformed setting, is a RangeError naming it.
 */
export function parseSettings(
  optimizers: readonly string[],
  settings: readonly string[],
): Settings[] {
  const chosen = optimizers.map((name) => specOf(name));
  const result: Settings[] = chosen.map(() => ({}));
  for (const text of settings) {
    const match = /^(?:([\w-]+)\.)?([\w-]+)=(.*)$/s.exec(text);
    if (match === null) {
      throw new RangeError(
        `Invalid --set: ${JSON.stringify(text)} (expected option=value or optimizer.option=value)`,
      );
    }
    const [, scope, name, value] = match;
    const targets = chosen
      .map((c, i) => ({ ...c, i }))
      .filter((c) => scope === undefined || c.key === scope.toLowerCase());
    if (targets.length === 0) {
      throw new RangeError(
        `Invalid --set ${text}: ${scope} is none of the optimizers compared (${optimizers.join(', ')})`,
      );
    }
    let taken = false;
    for (const { spec, i } of targets) {
      const option = spec.options.find((o) => normalize(o.name) === normalize(name));
      if (option === undefined) continue;
      result[i][option.name] = parseValue(option, value, `--set ${text}`);
      taken = true;
    }
    if (!taken) {
      const valid = [...new Set(targets.flatMap((t) => t.spec.options.map((o) => o.name)))];
      const owners = [...new Set(targets.map((t) => t.spec.name))].join(', ');
      throw new RangeError(
        `Unknown option for --set: ${name} (${hint(name, valid)}${owners} take${targets.length === 1 ? 's' : ''} ${valid.join(', ')})`,
      );
    }
  }
  return result;
}

/** A value as --set takes it: 1e-6 rather than 0.000001. */
function typed(value: OptionValue | undefined): string {
  if (typeof value !== 'number') return String(value);
  const size = Math.abs(value);
  return value !== 0 && (size < 1e-3 || size >= 1e5)
    ? value.toExponential().replace('e+', 'e')
    : String(value);
}

/**
 * Each optimizer `resolveOptimizer` knows, with the value each of its options starts from (the
 * book's setting, else the spec's default): what `descent compare --help` lists for --set.
 */
export function optimizerOptions(): { name: string; className: string; options: string[] }[] {
  return optimizerNames().map((name) => {
    const { spec, entry } = specOf(name);
    const options = spec.options.map((option) => {
      const value = entry.options[option.name] ?? option.default;
      return `${option.name} ${Array.isArray(value) ? value.map(typed).join(',') : typed(value)}`;
    });
    return { name, className: spec.name, options };
  });
}
