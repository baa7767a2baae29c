import type { AlgorithmSpec, OptionSpec, OptionValue } from './spec.js';

/**
 * Writing a spec (src/core/spec.ts) beside its algorithm, and reading its defaults. Kept apart
 * from spec.ts, which imports every optimizer and schedule to list them, so that they can import
 * this.
 */

/**
 * A spec's options as its source writes them, keyed by name: the compiler requires exactly the
 * keys of the options type `T` (none missing, none extra), each default of the option's type.
 */
export type OptionSpecs<T> = {
  readonly [K in keyof Required<T>]: Omit<OptionSpec, 'name' | 'default'> & {
    readonly default: Required<T>[K] | undefined;
  };
};

/** What `defineSpec` takes: an `AlgorithmSpec` whose options are keyed by name. */
export type SpecSource<T> = Omit<AlgorithmSpec, 'options'> & { options: OptionSpecs<T> };

function freeze<V>(value: V): V {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) freeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * The spec of an optimizer or schedule whose options are of type `T`, frozen (defaults included:
 * they are the algorithm's, which nothing else may change).
 */
export function defineSpec<T>(source: SpecSource<T>): AlgorithmSpec {
  // A field set to undefined is left out (`{ ...maximizeOption, reference: undefined }`: no
  // reference name), but a default, where undefined means required.
  const options = Object.entries(source.options).map(([name, option]) => {
    const fields = Object.entries(option as object).filter(
      ([key, value]) => value !== undefined || key === 'default',
    );
    return { name, ...Object.fromEntries(fields) } as OptionSpec;
  });
  return freeze({ ...source, options });
}

/**
 * Every option of `spec` with its default (undefined for a required one), lists copied so that
 * the caller owns them: an optimizer's `defaults`, a schedule's options before the given ones.
 */
export function defaultsOf<T>(spec: AlgorithmSpec): T {
  const defaults: Record<string, OptionValue | undefined> = {};
  for (const { name, default: value } of spec.options) {
    defaults[name] = Array.isArray(value) ? [...value] : value;
  }
  return defaults as T;
}
