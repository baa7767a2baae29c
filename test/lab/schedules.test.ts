import { describe, expect, it } from 'vitest';
import {
  findSchedule,
  notPlottable,
  scheduleEntries,
  scheduleOptions,
  scheduleValues,
} from '../../src/lab/schedules.js';
import * as schedules from '../../src/schedules/index.js';
import { LRScheduler } from '../../src/schedules/lr-scheduler.js';

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
