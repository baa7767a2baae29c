import * as schedules from 'descent';
import { LRScheduler } from 'descent';
import { describe, expect, it } from 'vitest';
import {
  findSchedule,
  notPlottable,
  type OptionValue,
  plotSteps,
  scheduleEntries,
  scheduleOptions,
  scheduleValues,
} from '../../src/lab/schedules.js';

describe('the schedule registry', () => {
  it('covers every scheduler class descent exports', () => {
    const classes = Object.entries(schedules)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof LRScheduler)
      .map(([name]) => name);
    expect(classes.length).toBeGreaterThan(10);
    const registered = new Set(scheduleEntries.map((e) => e.call));
    for (const name of classes) {
      expect(
        registered.has(name) || name in notPlottable,
        `${name} is neither plottable nor excused`,
      ).toBe(true);
    }
  });

  it('refers to descent’s own exports', () => {
    const exported = schedules as Record<string, unknown>;
    for (const entry of scheduleEntries) {
      expect(exported[entry.call], entry.name).toBe(entry.make ?? entry.Scheduler);
    }
  });

  it.each(scheduleEntries.map((e) => [e.name, e] as const))(
    '%s gives finite rates with its defaults',
    (_, entry) => {
      const values = scheduleValues(entry, scheduleOptions(entry));
      expect(values.length).toBe(entry.steps);
      for (const v of values) expect(Number.isFinite(v) && v >= 0).toBe(true);
      // Every default plot but the constant's shows the rate changing.
      if (entry.name !== 'constant') expect(new Set(values).size, entry.name).toBeGreaterThan(1);
    },
  );

  it('finds names without regard to case, dashes or underscores', () => {
    expect(findSchedule('multi-step-lr').call).toBe('MultiStepLR');
    expect(findSchedule('MULTISTEPLR').call).toBe('MultiStepLR');
    expect(findSchedule('square_root').call).toBe('squareRootScheduler');
    expect(() => findSchedule('nope')).toThrow(/Unknown schedule: "nope"/);
    expect(() => findSchedule('lambda-lr')).toThrow(
      /LambdaLR cannot be plotted|lambda-lr cannot be plotted/,
    );
  });

  it('takes only the options a schedule has, and checks their values through descent', () => {
    const cosine = findSchedule('cosine');
    expect(scheduleOptions(cosine, { 'warmup-steps': 5 }).warmupSteps).toBe(5);
    expect(() => scheduleOptions(cosine, { gamma: 0.5 })).toThrow(
      /Unknown option for cosine: gamma/,
    );
    expect(() => scheduleValues(cosine, scheduleOptions(cosine, { maxUpdate: -1 }))).toThrow(
      RangeError,
    );
  });

  it('reads a scheduler’s rate before each step, as the book’s get_lr does', () => {
    const entry = findSchedule('StepLR');
    const values = scheduleValues(
      entry,
      scheduleOptions(entry, { lr: 1, stepSize: 2, gamma: 0.5 }),
      6,
    );
    expect(values).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
  });
});

describe('the steps a plot shows', () => {
  it('are the chapter’s at the registry’s own options', () => {
    for (const entry of scheduleEntries) {
      expect(plotSteps(entry, scheduleOptions(entry)), entry.name).toBe(entry.steps);
    }
  });

  // [schedule, options, the step from which it holds its final value]
  it.each([
    ['warmup-cosine-decay', { totalSteps: 1000 }, 1000],
    ['warmup-stable-decay', { totalSteps: 1000, decaySteps: 200 }, 1000],
    ['one-cycle', { totalSteps: 1000 }, 999],
    ['linear', { steps: 1000 }, 1000],
    ['polynomial', { steps: 1000 }, 1000],
    ['cosine-decay', { steps: 1000 }, 1000],
    ['cosine', { maxUpdate: 300, warmupSteps: 100 }, 300],
    ['multi-factor', { step: [100, 200] }, 201],
    ['piecewise-constant', { boundaries: [100, 200] }, 200],
    ['factor', { factor: 0.99 }, 527],
    ['ConstantLR', { totalIters: 100 }, 100],
    ['LinearLR', { totalIters: 100 }, 100],
    ['PolynomialLR', { totalIters: 100 }, 100],
    ['MultiStepLR', { milestones: [100, 200] }, 200],
  ] as const)('follow the options of %s', (name, given, end) => {
    const entry = findSchedule(name);
    const options = scheduleOptions(entry, given as Record<string, OptionValue>);
    const values = scheduleValues(entry, options);
    expect(values.length).toBeGreaterThan(end);
    // The value at the end is the final one, held to the last step plotted.
    expect(values[end - 1]).not.toBe(values[end]);
    for (const v of values.slice(end)) expect(v).toBeCloseTo(values[end], 15);
  });

  it('end where a scheduler that counts its steps ends', () => {
    const entry = findSchedule('OneCycleLR');
    const options = scheduleOptions(entry, { totalSteps: 50 });
    expect(plotSteps(entry, options)).toBe(50);
    expect(scheduleValues(entry, options)).toHaveLength(50);
  });

  it('cover a few cycles of a cyclic schedule', () => {
    const sgdr = findSchedule('sgdr');
    expect(plotSteps(sgdr, scheduleOptions(sgdr, { periodSteps: 100 }))).toBe(700);
    const cyclic = findSchedule('CyclicLR');
    expect(plotSteps(cyclic, scheduleOptions(cyclic, { stepSizeUp: 100 }))).toBe(600);
  });
});

describe('names', () => {
  it('are looked up among the registry’s own, not through a prototype', () => {
    const cosine = findSchedule('cosine');
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(() => findSchedule(name)).toThrow(/Unknown schedule/);
      const given = Object.create(null) as Record<string, OptionValue>;
      given[name] = 5;
      expect(() => scheduleOptions(cosine, given)).toThrow(
        new RegExp(`Unknown option for cosine: ${name} `),
      );
    }
  });

  it('that are misspelt get the closest valid one', () => {
    expect(() => findSchedule('cosin')).toThrow(/did you mean cosine\?/);
    expect(() => scheduleOptions(findSchedule('cosine'), { warmupStep: 1 })).toThrow(
      /did you mean warmupSteps\?/,
    );
  });
});
