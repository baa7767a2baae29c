import { describe, expect, it } from 'vitest';
import {
  cosineScheduler,
  factorScheduler,
  multiFactorScheduler,
  squareRootScheduler,
} from '../../src/schedules/book.js';
import type { Schedule } from '../../src/schedules/pure/schedule.js';
import { expectError, loadCases, tolerance } from './reference.js';

const book = { squareRootScheduler, factorScheduler, multiFactorScheduler, cosineScheduler };

interface BookCase {
  name: string;
  scheduler: keyof typeof book;
  options: Record<string, unknown>;
  /** What the book's object returns on calls 1, 2, 3, ... (epochs 0, 1, 2, ...). */
  values: number[];
}

describe("the book's schedulers against the book's code", () => {
  for (const c of loadCases<BookCase>('book.json')) {
    it(c.name, () => {
      const make = () => (book[c.scheduler] as (options: unknown) => Schedule)(c.options);
      const expectBook = (values: number[], order: string) => {
        expect(values.length).toBe(c.values.length);
        c.values.forEach((expected, t) => {
          const bound = tolerance * Math.abs(expected);
          expect(
            Math.abs(values[t] - expected),
            `${order}, t = ${t}: ${values[t]} vs the book's ${expected}`,
          ).toBeLessThanOrEqual(bound);
        });
      };
      const schedule = make();
      expectBook(
        c.values.map((_, t) => schedule(t)),
        'in order',
      );
      // A closed form: a fresh schedule evaluated backwards, from the last epoch to the first,
      // still gives the book's values (the book's objects only run forwards).
      const fresh = make();
      const backwards = c.values.map((_, t) => fresh(c.values.length - 1 - t)).reverse();
      expectBook(backwards, 'backwards');
    });
  }
});

describe("the book's options", () => {
  it.each([
    [() => book.squareRootScheduler({ lr: -1 }), RangeError, /lr: -1/],
    [() => book.factorScheduler({ factor: 1.1 }), RangeError, /factor: 1.1/],
    [() => book.factorScheduler({ stopFactorLr: Number.NaN }), TypeError, /stopFactorLr: NaN/],
    [
      () => book.multiFactorScheduler({ step: [15, 10], factor: 0.5, baseLr: 0.5 }),
      RangeError,
      /step: \[15, 10\]/,
    ],
    [
      () => book.multiFactorScheduler({ step: [1.5], factor: 0.5, baseLr: 0.5 }),
      RangeError,
      /step\[0\]: 1.5/,
    ],
    // MXNet's checks: a nonempty list of strictly increasing steps >= 1, and factor <= 1.
    [
      () => book.multiFactorScheduler({ step: [] }),
      RangeError,
      /step: \[\] \(expected at least one/,
    ],
    [() => book.multiFactorScheduler({ step: [0, 5] }), RangeError, /step\[0\]: 0 .*>= 1/],
    [() => book.multiFactorScheduler({ step: [5, 5] }), RangeError, /step: \[5, 5\]/],
    [() => book.multiFactorScheduler({ step: 15 as never }), TypeError, /step: 15/],
    [() => book.multiFactorScheduler({ step: [15], factor: 1.5 }), RangeError, /factor: 1.5/],
    [() => book.multiFactorScheduler({ step: [15], factor: -0.5 }), RangeError, /factor: -0.5/],
    [() => book.multiFactorScheduler({ step: [15], baseLr: -1 }), RangeError, /baseLr: -1/],
    [
      () => book.multiFactorScheduler({ step: [15], baseLr: Number.POSITIVE_INFINITY }),
      RangeError,
      /baseLr: Infinity/,
    ],
    [() => book.multiFactorScheduler({ step: [15], factor: Number.NaN }), TypeError, /factor: NaN/],
    [() => book.multiFactorScheduler({} as never), TypeError, /step: undefined/],
    [() => book.cosineScheduler({ maxUpdate: 5, warmupSteps: 5 }), RangeError, /maxUpdate: 5/],
    [
      () => book.cosineScheduler({ maxUpdate: 20, finalLr: Number.POSITIVE_INFINITY }),
      RangeError,
      /finalLr: Infinity/,
    ],
    [() => book.cosineScheduler({ maxUpdate: 20, warmupSteps: -1 }), RangeError, /warmupSteps: -1/],
    [() => book.squareRootScheduler()(-1), RangeError, /step: -1/],
    [() => book.squareRootScheduler()(0.5), RangeError, /step: 0.5/],
  ])('%#: rejects invalid options', (make, type, message) => {
    expectError(make, type, message);
  });

  it("changes the rate one epoch after each step, as MXNet's class, one later than MultiStepLR", () => {
    const schedule = book.multiFactorScheduler({ step: [15, 30], factor: 0.5, baseLr: 0.5 });
    expect([14, 15, 16, 30, 31].map(schedule)).toEqual([0.5, 0.5, 0.25, 0.25, 0.125]);
  });

  it("uses the book's defaults", () => {
    expect(book.squareRootScheduler()(3)).toBe(0.1 / 2);
    expect(book.factorScheduler()(100)).toBe(0.1);
    // MXNet's: factor 1, baseLr 0.01.
    expect(book.multiFactorScheduler({ step: [1] })(5)).toBe(0.01);
    expect(book.cosineScheduler({ maxUpdate: 10 })(0)).toBe(0.01);
    expect(book.cosineScheduler({ maxUpdate: 10 })(10)).toBe(0);
    // MXNet's defaults: factor 1 (the rate holds) and baseLr 0.01; the rate changes after step 5.
    expect(book.multiFactorScheduler({ step: [5] })(10)).toBe(0.01);
    expect(book.multiFactorScheduler({ step: [5], factor: 0.5 })(5)).toBe(0.01);
    expect(book.multiFactorScheduler({ step: [5], factor: 0.5 })(6)).toBe(0.005);
  });
});
