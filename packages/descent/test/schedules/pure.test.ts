import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  interpolate,
  inverseSqrtDecay,
  join,
  linearSchedule,
  oneCycle,
  piecewiseConstant,
  piecewiseInterpolated,
  polynomialSchedule,
  type Schedule,
  type Shape,
  sgdr,
  shapes,
  transition,
  warmup,
  warmupCosineDecay,
  warmupStableDecay,
} from '../../src/schedules/pure/index.js';
import { expectError, loadCases, type SchedulerCase, tolerance } from './reference.js';

const runs = { numRuns: 300 };

/** Any step: small, large, and far beyond any training run (still an integer). */
const anyStep = fc.oneof(
  fc.nat(3000),
  fc.nat(),
  fc.double({ min: 0, max: 1e300, noNaN: true }).map(Math.floor),
);
/**
 * Values a hyperparameter could take: up to a million in size, zero, or at least 1e-100 (below,
 * a relative tolerance of 1e-12 underflows); x + 0 turns -0 into 0.
 */
const value = fc
  .double({ min: -1e6, max: 1e6, noNaN: true })
  .filter((x) => x === 0 || Math.abs(x) >= 1e-100)
  .map((x) => x + 0);
const positive = fc.double({ min: 1e-6, max: 1e6, noNaN: true });
const length = fc.integer({ min: 1, max: 400 });
const shape = fc.constantFrom(...shapes);
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

function within(v: number, a: number, b: number): boolean {
  return Number.isFinite(v) && v >= Math.min(a, b) && v <= Math.max(a, b);
}

function close(actual: number, expected: number, scale = Math.abs(expected)): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(expected), scale);
}

/** Values at steps 0..n, for monotonicity checks. */
function run(s: Schedule, n: number): number[] {
  return Array.from({ length: n + 1 }, (_, t) => s(t));
}

function monotone(values: number[], up: boolean): boolean {
  return values.every((v, i) => i === 0 || (up ? v >= values[i - 1] : v <= values[i - 1]));
}

/** Ends usable by every shape: exponential needs both positive. */
const ends = (s: Shape) =>
  s === 'exponential' ? fc.tuple(positive, positive) : fc.tuple(value, value);

describe('transitions', () => {
  it('start at `from`, end at `to`, stay between them and are monotone', () => {
    fc.assert(
      fc.property(
        shape.chain((s) => fc.tuple(fc.constant(s), ends(s), fc.array(fraction, { minLength: 2 }))),
        ([s, [from, to], fs]) => {
          const scale = Math.max(Math.abs(from), Math.abs(to));
          expect(close(interpolate(s, from, to, 0), from, scale)).toBe(true);
          expect(close(interpolate(s, from, to, 1), to, scale)).toBe(true);
          // Unclamped, rounding may pass an end or turn back by an ulp or two of the larger end.
          const ulps = 4e-16 * scale;
          const values = [...fs].sort((a, b) => a - b).map((f) => interpolate(s, from, to, f));
          values.forEach((v, i) => {
            expect(v).toBeGreaterThanOrEqual(Math.min(from, to) - ulps);
            expect(v).toBeLessThanOrEqual(Math.max(from, to) + ulps);
            if (i > 0) {
              expect(to >= from ? v - values[i - 1] : values[i - 1] - v).toBeGreaterThanOrEqual(
                -ulps,
              );
            }
          });
          // Held, as schedules use them: exact ends, never outside.
          expect(transition(s, from, to, 0)).toBe(from);
          expect(transition(s, from, to, 1)).toBe(to);
          for (const f of fs) expect(within(transition(s, from, to, f), from, to)).toBe(true);
        },
      ),
      runs,
    );
  });
});

describe('every schedule is finite and within its bounds at any step', () => {
  const check = (s: Schedule, low: number, high: number) =>
    fc.assert(
      fc.property(anyStep, (t) => within(s(t), low, high)),
      { numRuns: 50 },
    );

  it('constant, linear, polynomial, cosine decay', () => {
    fc.assert(
      fc.property(
        value,
        value,
        length,
        fc.double({ min: 0.05, max: 8, noNaN: true }),
        (a, b, n, p) => {
          check(constantSchedule({ value: a }), a, a);
          check(linearSchedule({ initValue: a, endValue: b, steps: n }), a, b);
          check(polynomialSchedule({ initValue: a, endValue: b, steps: n, power: p }), a, b);
          check(cosineDecay({ initValue: a, endValue: b, steps: n }), a, b);
          for (const s of [
            linearSchedule({ initValue: a, endValue: b, steps: n }),
            polynomialSchedule({ initValue: a, endValue: b, steps: n, power: p }),
            cosineDecay({ initValue: a, endValue: b, steps: n }),
          ]) {
            expect(s(0)).toBe(a);
            expect(s(n)).toBe(b);
            expect(s(n + 1)).toBe(b);
          }
        },
      ),
      runs,
    );
  });

  it('exponential decay, with its floor and staircase', () => {
    fc.assert(
      fc.property(
        value.map(Math.abs),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        fc.boolean(),
        value,
        (a, rate, period, staircase, floor) => {
          const s = exponentialDecay({
            initValue: a,
            decayRate: rate,
            transitionSteps: period,
            staircase,
            endValue: floor,
          });
          check(s, floor, Math.max(a, floor));
          expect(monotone(run(s, 50), false)).toBe(true);
          if (staircase) expect(s(Math.ceil(period) - 1)).toBe(s(0));
        },
      ),
      runs,
    );
  });

  it('inverse square root', () => {
    fc.assert(
      fc.property(value, fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (a, tau) => {
        const s = inverseSqrtDecay({ initValue: a, timescale: tau });
        check(s, 0, a);
        expect(s(0)).toBe(a);
        expect(monotone(run(s, 50), a < 0)).toBe(true);
      }),
      runs,
    );
  });

  it('piecewise constant and piecewise interpolated', () => {
    const knots = fc
      .uniqueArray(fc.nat(1000), { minLength: 1, maxLength: 8 })
      .map((b) => b.sort((x, y) => x - y));
    fc.assert(
      fc.property(
        knots,
        fc.array(value, { minLength: 9, maxLength: 9 }),
        fc.constantFrom<Shape>('linear', 'cosine', '1-sqrt'),
        (boundaries, vs, s) => {
          const constant = piecewiseConstant({
            values: vs.slice(0, boundaries.length + 1),
            boundaries,
          });
          fc.assert(
            fc.property(anyStep, (t) => vs.includes(constant(t))),
            { numRuns: 30 },
          );
          const values = vs.slice(0, boundaries.length);
          const interpolated = piecewiseInterpolated({ values, boundaries, shape: s });
          check(interpolated, Math.min(...values), Math.max(...values));
          boundaries.forEach((b, i) => {
            // Continuous at every knot: the curve on each side reaches the knot's value.
            expect(interpolated(b)).toBe(values[i]);
            expect(constant(b)).toBe(vs[i + 1]);
          });
        },
      ),
      runs,
    );
  });

  it('SGDR, with any period multiplier and decay', () => {
    fc.assert(
      fc.property(
        value,
        value,
        fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b, period, m, d) => {
          const s = sgdr({
            initValue: a,
            endValue: b,
            periodSteps: period,
            periodMultiplier: m,
            decay: d,
          });
          check(s, a, b);
          expect(s(0)).toBe(a);
        },
      ),
      runs,
    );
  });

  it('one-cycle, two and three phases', () => {
    fc.assert(
      fc.property(
        fc.tuple(value, value, value),
        fc.integer({ min: 10, max: 2000 }),
        fc.double({ min: 0.1, max: 0.45, noNaN: true }),
        fc.boolean(),
        fc.constantFrom<Shape>('linear', 'cosine', '1-sqrt'),
        ([init, peak, end], total, pct, threePhase, s) => {
          fc.pre(pct * total > 1); // else the warmup phase has no steps (a RangeError)
          const cycle = oneCycle({
            initValue: init,
            peakValue: peak,
            endValue: end,
            totalSteps: total,
            pctStart: pct,
            threePhase,
            shape: s,
          });
          check(cycle, Math.min(init, peak, end), Math.max(init, peak, end));
          expect(cycle(0)).toBe(init);
          expect(cycle(total - 1)).toBe(end);
          expect(cycle(total + 5)).toBe(end);
        },
      ),
      runs,
    );
  });
});

describe('warmup', () => {
  it('is monotone, starts at initValue and joins the schedule continuously', () => {
    fc.assert(
      fc.property(
        shape.chain((s) => fc.tuple(fc.constant(s), ends(s))),
        length,
        length,
        ([s, [init, peak]], steps, decaySteps) => {
          const decay = cosineDecay({ initValue: peak, endValue: 0, steps: decaySteps });
          const w = warmup(decay, { steps, initValue: init, shape: s });
          const values = run(w, steps);
          const scale = Math.max(Math.abs(init), Math.abs(peak));
          expect(values[0]).toBe(init);
          expect(monotone(values, peak >= init)).toBe(true);
          for (const v of values) expect(within(v, init, peak)).toBe(true);
          // At the join the value is the schedule's first, which the warmup curve reaches there.
          expect(w(steps)).toBe(decay(0));
          expect(close(interpolate(s, init, peak, 1), peak, scale)).toBe(true);
          fc.assert(
            fc.property(fc.nat(5000), (t) => {
              expect(w(steps + t)).toBe(decay(t));
            }),
            { numRuns: 20 },
          );
        },
      ),
      runs,
    );
  });

  it('of zero steps is the schedule itself', () => {
    const s = cosineDecay({ initValue: 1, steps: 10 });
    expect(warmup(s, { steps: 0 })).toBe(s);
  });

  it('warmup-cosine counts the warmup in totalSteps', () => {
    fc.assert(
      fc.property(value, value, value, length, length, (init, peak, end, w, d) => {
        const s = warmupCosineDecay({
          initValue: init,
          peakValue: peak,
          endValue: end,
          warmupSteps: w,
          totalSteps: w + d,
        });
        check3(s, init, peak, end);
        expect(s(0)).toBe(init);
        expect(s(w)).toBe(peak);
        expect(s(w + d)).toBe(end);
        expect(s(w + d + 1)).toBe(end);
        expect(monotone(run(s, w), peak >= init)).toBe(true);
      }),
      runs,
    );
  });

  it('warmup-stable-decay: warmup, a stable phase at the peak, a cooldown ending at totalSteps', () => {
    fc.assert(
      fc.property(
        fc.tuple(value, value, value),
        fc.nat(300),
        fc.nat(300),
        length,
        fc.constantFrom<Shape>('linear', 'cosine', '1-sqrt'),
        ([init, peak, end], w, stable, d, decayShape) => {
          const total = w + stable + d;
          const s = warmupStableDecay({
            initValue: init,
            peakValue: peak,
            endValue: end,
            warmupSteps: w,
            decaySteps: d,
            totalSteps: total,
            decayShape,
          });
          check3(s, init, peak, end);
          expect(s(0)).toBe(w > 0 ? init : peak);
          for (let t = w; t <= w + stable; t++) expect(s(t)).toBe(peak);
          expect(s(total)).toBe(end);
          expect(s(total + 3)).toBe(s(total));
          expect(monotone(run(s, w), peak >= init)).toBe(true);
          expect(monotone(run(s, total).slice(w + stable), end >= peak)).toBe(true);
        },
      ),
      runs,
    );
  });
});

function check3(s: Schedule, a: number, b: number, c: number): void {
  fc.assert(
    fc.property(anyStep, (t) => within(s(t), Math.min(a, b, c), Math.max(a, b, c))),
    { numRuns: 30 },
  );
}

describe('join', () => {
  it('runs each schedule from its boundary, counting from 0 there', () => {
    const pieces = [
      linearSchedule({ initValue: 0, endValue: 1, steps: 10 }),
      constantSchedule({ value: 1 }),
      cosineDecay({ initValue: 1, endValue: 0.1, steps: 20 }),
    ];
    const s = join(pieces, [10, 15]);
    fc.assert(
      fc.property(fc.nat(100), (t) => {
        const expected = t < 10 ? pieces[0](t) : t < 15 ? pieces[1](t - 10) : pieces[2](t - 15);
        return s(t) === expected;
      }),
    );
    // These pieces meet: each reaches the next one's first value at its boundary.
    expect(s(10)).toBe(pieces[0](10));
    expect(s(15)).toBe(pieces[1](5));
  });
});

describe('schedules against PyTorch', () => {
  const cases = loadCases<SchedulerCase>('schedulers.json');
  type Pick = (snapshot: SchedulerCase['trajectory'][number]) => number;
  const expectClose = (c: SchedulerCase, what: string, pick: Pick, s: Schedule, to: number) => {
    const scale = Math.max(...c.trajectory.map((x) => Math.abs(pick(x))));
    for (let t = 0; t <= to; t++) {
      const expected = pick(c.trajectory[t]);
      expect(Math.abs(s(t) - expected), `${c.name}: ${what} at ${t}`).toBeLessThanOrEqual(
        tolerance * Math.max(Math.abs(expected), scale),
      );
    }
  };
  const lr =
    (i: number): Pick =>
    (x) =>
      x.lr[i];
  const momentum =
    (i: number): Pick =>
    (x) =>
      x.momentum?.[i] ?? x.betas![i][0];

  it('sgdr is CosineAnnealingWarmRestarts', () => {
    const restarts = cases.filter((c) => c.scheduler === 'CosineAnnealingWarmRestarts');
    expect(restarts.length).toBeGreaterThan(0);
    for (const c of restarts) {
      const o = c.options as { T0: number; TMult?: number; etaMin?: number };
      c.groups.forEach((g, i) => {
        const s = sgdr({
          initValue: g.lr as number,
          endValue: o.etaMin ?? 0,
          periodSteps: o.T0,
          periodMultiplier: o.TMult ?? 1,
        });
        expectClose(c, `lr[${i}]`, lr(i), s, c.steps);
      });
    }
  });

  it('oneCycle is OneCycleLR, for the rate and for momentum', () => {
    const cycles = cases.filter(
      (c) => c.scheduler === 'OneCycleLR' && c.options?.cycleMomentum !== false,
    );
    expect(cycles.length).toBeGreaterThan(0);
    for (const c of cycles) {
      const o = c.options as Record<string, number & boolean & string>;
      const total = o.totalSteps ?? o.epochs * o.stepsPerEpoch;
      const common = {
        totalSteps: total,
        pctStart: o.pctStart ?? 0.3,
        threePhase: o.threePhase ?? false,
        shape: (o.annealStrategy === 'linear' ? 'linear' : 'cosine') as Shape,
      };
      c.groups.forEach((_, i) => {
        const pick = (v: unknown, fallback: number) => (Array.isArray(v) ? v[i] : (v ?? fallback));
        const peak = pick(o.maxLr, 0);
        const init = peak / (o.divFactor ?? 25);
        expectClose(
          c,
          `lr[${i}]`,
          lr(i),
          oneCycle({
            peakValue: peak,
            initValue: init,
            endValue: init / (o.finalDivFactor ?? 1e4),
            ...common,
          }),
          total - 1,
        );
        const [high, low] = [pick(o.maxMomentum, 0.95), pick(o.baseMomentum, 0.85)];
        expectClose(
          c,
          `momentum[${i}]`,
          momentum(i),
          oneCycle({ initValue: high, peakValue: low, endValue: high, ...common }),
          total - 1,
        );
      });
    }
  });

  it('cosineDecay is CosineAnnealingLR up to TMax', () => {
    for (const c of cases.filter((x) => x.scheduler === 'CosineAnnealingLR')) {
      const o = c.options as { TMax: number; etaMin?: number };
      c.groups.forEach((g, i) => {
        const s = cosineDecay({
          initValue: g.lr as number,
          endValue: o.etaMin ?? 0,
          steps: o.TMax,
        });
        expectClose(c, `lr[${i}]`, lr(i), s, o.TMax);
      });
    }
  });
});

describe('schedule options', () => {
  it.each([
    [() => constantSchedule({ value: Number.POSITIVE_INFINITY }), RangeError, /value: Infinity/],
    [() => linearSchedule({ initValue: 1, endValue: 0, steps: 0 }), RangeError, /steps: 0/],
    [
      () => polynomialSchedule({ initValue: 1, endValue: 0, steps: 5, power: 0 }),
      RangeError,
      /power: 0/,
    ],
    [() => exponentialDecay({ initValue: 1, decayRate: 1.5 }), RangeError, /decayRate: 1.5/],
    [
      () => exponentialDecay({ initValue: 1, decayRate: 0.5, transitionSteps: 0 }),
      RangeError,
      /transitionSteps: 0/,
    ],
    [
      () => exponentialDecay({ initValue: 1, decayRate: 0.5, staircase: 1 as never }),
      TypeError,
      /staircase: 1/,
    ],
    [() => cosineDecay({ initValue: 'high' as never, steps: 3 }), TypeError, /initValue: "high"/],
    [() => inverseSqrtDecay({ initValue: 1, timescale: -2 }), RangeError, /timescale: -2/],
    [
      () => piecewiseConstant({ values: [1, 2], boundaries: [3, 5] }),
      RangeError,
      /values: 2 values \(expected 3/,
    ],
    [
      () => piecewiseConstant({ values: [1, 2, 3], boundaries: [5, 3] }),
      RangeError,
      /boundaries: \[5, 3\]/,
    ],
    [() => piecewiseInterpolated({ values: [], boundaries: [] }), RangeError, /boundaries: \[\]/],
    [
      () => piecewiseInterpolated({ values: [1, 0], boundaries: [0, 5], shape: 'exponential' }),
      RangeError,
      /values\[1\]: 0/,
    ],
    [
      () => join([constantSchedule({ value: 1 })], [5]),
      RangeError,
      /schedules: 1 schedules \(expected 2/,
    ],
    [() => join([constantSchedule({ value: 1 }), 3 as never], [5]), TypeError, /schedules\[1\]: 3/],
    [() => warmup(constantSchedule({ value: 1 }), { steps: -1 }), RangeError, /steps: -1/],
    [
      () => warmup(constantSchedule({ value: 1 }), { steps: 5, shape: 'exponential' }),
      RangeError,
      /initValue: 0/,
    ],
    [
      () => warmup(constantSchedule({ value: 1 }), { steps: 5, shape: 'step' as never }),
      RangeError,
      /shape: "step"/,
    ],
    [
      () => warmupCosineDecay({ peakValue: 1, warmupSteps: 10, totalSteps: 10 }),
      RangeError,
      /totalSteps: 10/,
    ],
    [
      () => warmupStableDecay({ peakValue: 1, warmupSteps: 5, decaySteps: 10, totalSteps: 12 }),
      RangeError,
      /totalSteps: 12/,
    ],
    [
      () =>
        warmupStableDecay({
          peakValue: 1,
          warmupSteps: 5,
          decaySteps: 5,
          totalSteps: 12,
          warmupShape: 'sine' as never,
        }),
      RangeError,
      /warmupShape: "sine"/,
    ],
    [
      () => sgdr({ initValue: 1, periodSteps: 10, periodMultiplier: 0.5 }),
      RangeError,
      /periodMultiplier: 0.5/,
    ],
    [() => sgdr({ initValue: 1, periodSteps: 10, decay: 2 }), RangeError, /decay: 2/],
    [() => oneCycle({ peakValue: 1, totalSteps: 3 }), RangeError, /pctStart: 0.3 .*no steps/],
    [
      () => oneCycle({ peakValue: 1, totalSteps: 100, threePhase: true, pctStart: 0.7 }),
      RangeError,
      /pctStart: 0.7/,
    ],
    [() => constantSchedule({ value: 1 })(-1), RangeError, /step: -1/],
    [() => constantSchedule({ value: 1 })(2.5), RangeError, /step: 2.5/],
    [() => constantSchedule({ value: 1 })(Number.NaN), TypeError, /step: NaN/],
  ])('%#: throws a clear error', (make, type, message) => {
    expectError(make, type, message);
  });
});
