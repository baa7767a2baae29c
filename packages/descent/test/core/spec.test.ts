import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOption } from '../../src/core/validate.js';
import * as descent from '../../src/index.js';
import {
  type AlgorithmSpec,
  type OptionSpec,
  type OptionValue,
  optimizerSpec,
  optimizerSpecs,
  scheduleSpec,
  scheduleSpecs,
} from '../../src/index.js';
import { Optimizer } from '../../src/optim/optimizer.js';
import * as book from '../../src/schedules/book.js';
import * as pure from '../../src/schedules/pure/index.js';

/**
 * The specs of src/core/spec.ts against what they describe: every optimizer and schedule has
 * one; an optimizer's defaults and option names are its spec's; each schedule runs from its spec
 * alone; the constructors accept exactly the spec's ranges (a property test); and the README's
 * tables are the ones scripts/readme-tables.mjs writes from the specs.
 */

type OptimizerClass = (new (
  params: unknown,
  options?: unknown,
) => Optimizer<object>) & { spec: AlgorithmSpec };
type ScheduleFunction = ((...args: unknown[]) => (step: number) => number) & {
  spec: AlgorithmSpec;
};

const classes = Object.entries(descent).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof Optimizer,
) as [string, OptimizerClass][];
const classOf = new Map(classes);

/** Exports of src/schedules/pure that are no schedule taking options. */
const notSchedules = ['interpolate', 'schedule', 'shapes', 'transition', 'join'];
const schedules = [...Object.entries(pure), ...Object.entries(book)].filter(
  ([name, value]) => typeof value === 'function' && !notSchedules.includes(name),
) as [string, ScheduleFunction][];
const scheduleOf = new Map(schedules);

/** Newton's Hessian of sum(p²): 2I. */
function hessian(params: { data: ArrayLike<number> }[]): Float64Array {
  const n = params.reduce((total, p) => total + p.data.length, 0);
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) h[i * n + i] = 2;
  return h;
}

/** What a required option of an optimizer is given (no spec can offer a function). */
const required: Record<string, Record<string, unknown>> = { Newton: { hessian } };

// A 3 × 1 matrix, which Muon takes too (it refuses vectors); the others step it elementwise.
const params = () => [descent.param([1, -2, 3], { dtype: 'float64', shape: [3, 1] })];

function build(name: string, options: Record<string, unknown> = {}): Optimizer<object> {
  const Class = classOf.get(name)!;
  return new Class(params(), { ...required[name], ...options });
}

/** The value a call uses for an option: its default, else its example. */
const startOf = (option: OptionSpec): OptionValue | undefined =>
  option.default === undefined ? option.example : option.default;

describe('the specs', () => {
  it('list every optimizer class descent exports, each its own, by its name', () => {
    expect(optimizerSpecs.map((s) => s.name).sort()).toEqual(classes.map(([n]) => n).sort());
    for (const [name, Class] of classes) {
      expect(Object.hasOwn(Class, 'spec'), name).toBe(true);
      expect(optimizerSpec(name)).toBe(Class.spec);
      expect(Class.spec).toMatchObject({ name, kind: 'optimizer' });
    }
  });

  it('list every schedule taking options, pure and the book’s, each by its name', () => {
    expect(scheduleSpecs.map((s) => s.name).sort()).toEqual(schedules.map(([n]) => n).sort());
    for (const [name, schedule] of schedules) {
      expect(scheduleSpec(name), name).toBe(schedule.spec);
      expect(schedule.spec).toMatchObject({ name, kind: 'schedule' });
    }
  });

  it('refuse an unknown name with a TypeError that suggests the closest', () => {
    expect(() => optimizerSpec('Adamm')).toThrow(
      new TypeError('Unknown optimizer Adamm (did you mean Adam?)'),
    );
    expect(() => scheduleSpec('cosineDecy')).toThrow(
      new TypeError('Unknown schedule cosineDecy (did you mean cosineDecay?)'),
    );
    expect(() => optimizerSpec('constructor')).toThrow(
      new TypeError('Unknown optimizer constructor'),
    );
    expect(() => scheduleSpec('join')).toThrow(TypeError);
  });

  it.each([...optimizerSpecs, ...scheduleSpecs])(
    'describe each option of $name coherently',
    (spec) => {
      const names = spec.options.map((o) => o.name);
      expect(new Set(names).size).toBe(names.length);
      for (const option of [spec, ...spec.options]) expect(option.summary).toMatch(/^[^\n]+$/);
      for (const option of spec.options) {
        const where = `${spec.name}.${option.name}`;
        const numeric = ['number', 'integer', 'pair', 'numbers'].includes(option.type);
        expect(option.scale !== undefined, where).toBe(numeric);
        expect(option.choices !== undefined, where).toBe(option.type === 'choice');
        if (option.min !== undefined && option.max !== undefined) {
          expect(option.min, where).toBeLessThan(option.max);
        }
        // A log scale needs values of one sign: >= 0.
        if (option.scale === 'log') expect(option.min, where).toBeGreaterThanOrEqual(0);
        // A default, or (required, or following other options) an example, which is in range.
        const value = startOf(option);
        if (option.type === 'function') expect(value, where).toBeUndefined();
        else expect(() => checkOption(option, value), where).not.toThrow();
      }
    },
  );

  it('are frozen, defaults included; an optimizer owns copies of them', () => {
    const betas = optimizerSpec('Adam').options.find((o) => o.name === 'betas')!;
    expect(() => {
      (betas as { default: unknown }).default = [0.5, 0.5];
    }).toThrow(TypeError);
    expect(() => (betas.default as number[]).push(1)).toThrow(TypeError);
    expect(() => (optimizerSpecs as AlgorithmSpec[]).pop()).toThrow(TypeError);
    const adam = build('Adam');
    expect(adam.defaults).toMatchObject({ betas: [0.9, 0.999] });
    expect((adam.defaults as { betas: unknown }).betas).not.toBe(betas.default);
  });
});

describe.each(optimizerSpecs.map((s) => [s.name, s] as const))('%s', (name, spec) => {
  it('takes exactly the spec’s options, with its defaults', () => {
    const optimizer = build(name);
    const defaults = optimizer.defaults as Record<string, unknown>;
    expect(Object.keys(defaults).sort()).toEqual(spec.options.map((o) => o.name).sort());
    for (const option of spec.options) {
      const expected = option.default === undefined ? required[name][option.name] : option.default;
      expect(defaults[option.name], option.name).toEqual(expected);
    }
    // The base class refuses any other name, as it refuses a misspelled one.
    expect(() => build(name, { [`${spec.options[0].name}x`]: 1 })).toThrow(TypeError);
  });
});

describe.each(scheduleSpecs.map((s) => [s.name, s] as const))('%s', (name, spec) => {
  const schedule = scheduleOf.get(name)!;
  const call = (options: Record<string, unknown>) =>
    spec.takesSchedule
      ? schedule(pure.constantSchedule({ value: 0.5 }), options)
      : schedule(options);

  it('runs from the spec alone: defaults and examples, each option given or left out', () => {
    const all = Object.fromEntries(spec.options.map((o) => [o.name, startOf(o)]));
    const given = Object.fromEntries(
      spec.options
        .filter((o) => o.default === undefined && o.defaultFrom === undefined)
        .map((o) => [o.name, o.example]),
    );
    for (const options of [all, given]) {
      const s = call(options);
      for (const t of [0, 1, 10, 1000]) expect(Number.isFinite(s(t)), `${t}`).toBe(true);
    }
    // Given explicitly, every default changes nothing.
    const s = call(all);
    const t = call(given);
    for (const step of [0, 3, 17, 40]) expect(s(step)).toBe(t(step));
  });

  it('takes exactly the spec’s options, and each required one is required', () => {
    const all = Object.fromEntries(spec.options.map((o) => [o.name, startOf(o)]));
    expect(() => call({ ...all, [`${spec.options[0].name}x`]: 1 })).toThrow(
      new RegExp(`^Unknown option ${spec.options[0].name}x for ${name}`),
    );
    for (const option of spec.options) {
      if (option.default !== undefined || option.defaultFrom !== undefined) continue;
      const { [option.name]: _, ...rest } = all;
      expect(() => call(rest), option.name).toThrow(new RegExp(`\\b${option.name}: undefined`));
    }
  });
});

/** The double next to x towards +Infinity (`up`) or −Infinity. */
function adjacent(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (x > 0 === up ? 1n : -1n));
  return view.getFloat64(0);
}

type Bounds = Pick<OptionSpec, 'min' | 'max' | 'minExclusive' | 'maxExclusive'>;

/**
 * Numbers inside `bounds` (as the spec states them): integers, or finite unless `infinite` and
 * without an upper bound (an element's own bound excludes Infinity: Rprop's least step size).
 */
function inside(bounds: Bounds, integer: boolean, infinite: boolean): fc.Arbitrary<number> {
  const { min, max, minExclusive = false, maxExclusive = false } = bounds;
  const unbounded = infinite && max === undefined;
  const numbers = fc.double({
    min,
    max,
    minExcluded: minExclusive,
    maxExcluded: maxExclusive,
    noNaN: true,
    noDefaultInfinity: !unbounded,
  });
  if (!integer) {
    return unbounded ? fc.oneof(numbers, fc.constant(Number.POSITIVE_INFINITY)) : numbers;
  }
  const low = Math.ceil(min ?? -1e300);
  return fc.oneof(
    fc.integer({ min: low, max: max === undefined ? low + 1000 : Math.min(low + 1000, max) }),
    fc.double({ min: low, max: max ?? 1e300, noNaN: true }).map(Math.floor),
  );
}

/** Values just outside `bounds`: past each end, a fraction for an integer, an infinity. */
function outside(bounds: Bounds, integer: boolean, infinite: boolean): number[] {
  const { min, max, minExclusive, maxExclusive } = bounds;
  const values = [Number.NaN];
  if (min !== undefined) values.push(minExclusive ? min : adjacent(min, false));
  if (max !== undefined) values.push(maxExclusive ? max : adjacent(max, true));
  if (integer) values.push((min ?? 0) + 0.5);
  if (!infinite) values.push(Number.NEGATIVE_INFINITY);
  if (!infinite && max === undefined) values.push(Number.POSITIVE_INFINITY);
  return values;
}

/**
 * Other options set so that only the one tested decides: the checks across options, written by
 * hand beside the spec's (lr·weightDecay <= 1, ASGD's lr·lambd <= 1, Nesterov's momentum > 0,
 * Rprop's stepSizes in order), are kept out of play.
 */
function context(spec: AlgorithmSpec, name: string): Record<string, unknown> {
  const has = (option: string) => spec.options.some((o) => o.name === option);
  if (name === 'lr')
    return { ...(has('weightDecay') && { weightDecay: 0 }), ...(has('lambd') && { lambd: 0 }) };
  if (name === 'weightDecay' || name === 'lambd') return { lr: 0 };
  if (name === 'nesterov') return { momentum: 0.9 };
  return {};
}

const numeric = optimizerSpecs.flatMap((spec) =>
  spec.options
    .filter((o) => ['number', 'integer', 'pair'].includes(o.type))
    .map((o) => [`${spec.name}.${o.name}`, spec, o] as const),
);

describe('the spec’s ranges are what the constructor accepts', () => {
  it.each(numeric)('%s', (_, spec, option) => {
    const integer = option.type === 'integer' || option.integer === true;
    const infinite = option.infinite === true;
    const base = context(spec, option.name);
    const make = (value: unknown) => build(spec.name, { ...base, [option.name]: value });
    const refused = (value: unknown, named: string) => {
      const group = () =>
        new (classOf.get(spec.name)!)([{ params: params(), [option.name]: value }], {
          ...required[spec.name],
          ...base,
        });
      for (const attempt of [() => make(value), group]) {
        expect(attempt, `${named} = ${String(value)}`).toThrow(
          new RegExp(`^Invalid .*\\b${named.replace(/[[\]]/g, '\\$&')}(\\)|:)`),
        );
      }
    };
    if (option.type === 'pair') {
      const items = [0, 1].map((i) => option.items?.[i] ?? option);
      const pair = fc
        .tuple(...items.map((b) => inside(b, integer, infinite)))
        // Rprop's stepSizes must be in order, a check across elements (see `context`).
        .map((p) => (option.name === 'stepSizes' ? [...p].sort((a, b) => a - b) : p));
      fc.assert(
        fc.property(pair, (value) => {
          make(value);
        }),
      );
      const [first, second] = option.default as readonly number[];
      items.forEach((bounds, i) => {
        for (const bad of outside(bounds, integer, infinite)) {
          // NaN is no number: the pair is not two numbers.
          const named = Number.isNaN(bad) ? option.name : `${option.name}[${i}]`;
          refused(i === 0 ? [bad, second] : [first, bad], named);
        }
      });
      return;
    }
    fc.assert(
      fc.property(inside(option, integer, infinite), (value) => {
        make(value);
      }),
    );
    for (const bad of outside(option, integer, infinite)) refused(bad, option.name);
  });

  it('covers every numeric option of every optimizer', () => {
    expect(numeric.length).toBeGreaterThanOrEqual(50);
    expect(new Set(numeric.map(([, spec]) => spec.name))).toEqual(
      new Set(optimizerSpecs.map((s) => s.name)),
    );
  });

  it.each(
    optimizerSpecs.flatMap((spec) =>
      spec.options
        .filter((o) => o.type === 'boolean' || o.type === 'choice')
        .map((o) => [`${spec.name}.${o.name}`, spec, o] as const),
    ),
  )('%s: every choice, and nothing else', (_, spec, option) => {
    const values = option.type === 'boolean' ? [false, true] : (option.choices ?? []);
    for (const value of values) {
      const make = () => build(spec.name, { ...context(spec, option.name), [option.name]: value });
      if (option.fixed === undefined || value === option.default) make();
      else
        expect(make).toThrow(
          new RegExp(`^Invalid ${option.name}: ${value} \\(${option.fixed}\\)$`),
        );
    }
    for (const bad of ['yes', 1]) {
      expect(() => build(spec.name, { [option.name]: bad })).toThrow(
        new RegExp(`^Invalid ${option.name}: `),
      );
    }
  });
});

describe("the README's tables", () => {
  it('are those scripts/readme-tables.mjs writes from the specs (npm run readme)', async () => {
    // A variable specifier: the script is plain JavaScript, typed here by what the test uses.
    const script = new URL('../../../../scripts/readme-tables.mjs', import.meta.url).href;
    const { withTables } = (await import(script)) as {
      withTables(readme: string, specs: object): string;
    };
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    const expected = withTables(readme, { optimizerSpecs, scheduleSpecs });
    expect(readme, 'README.md differs from its specs: run npm run readme').toBe(expected);
    // Every optimizer and schedule has its row.
    for (const spec of [...optimizerSpecs, ...scheduleSpecs]) {
      expect(readme).toMatch(new RegExp(`^\\| \`${spec.name}[(\`]`, 'm'));
    }
  });
});
