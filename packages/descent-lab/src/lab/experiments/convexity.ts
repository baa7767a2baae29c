import * as format from '../format.js';
import { cosPi, expHalf, type Function1D, halfSquare } from '../functions.js';
import { lineChart, sampleCurve } from '../plot.js';
import type { IllustrationResult, Section } from '../types.js';
import { define } from './common.js';

const functions = [halfSquare, expHalf, cosPi];
const chord = [-1.5, 1] as const;

/** The largest amount by which f rises above its chord from a to b (≤ 0 everywhere when convex). */
function aboveChord(fn: Function1D, [a, b]: readonly [number, number]): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i <= 1000; i++) {
    const lambda = i / 1000;
    const x = lambda * a + (1 - lambda) * b;
    worst = Math.max(worst, fn.f(x) - (lambda * fn.f(a) + (1 - lambda) * fn.f(b)));
  }
  return worst;
}

export const convexity: Section = {
  number: '12.2',
  slug: 'convexity',
  title: 'Convexity',
  summary:
    'A function is convex when every chord lies on or above its graph. The first two functions are; cos(πx) is not: its graph rises above the chord from −1.5 to 1.',
  experiments: [
    define<IllustrationResult>({
      id: 'convexity',
      title: 'chords from −1.5 to 1 of 0.5x², exp(0.5x) and cos(πx)',
      run: () => ({
        kind: 'illustration',
        values: Object.fromEntries(
          functions.map((fn) => [
            `${fn.formula}: largest rise above the chord`,
            aboveChord(fn, chord),
          ]),
        ),
      }),
      figures: (result) =>
        functions.map((fn, i) => {
          const rise = result.values[`${fn.formula}: largest rise above the chord`];
          return {
            id: `convexity-${i + 1}`,
            title: fn.formula,
            spec: lineChart({
              title: `convexity: ${fn.formula}`,
              subtitle:
                rise > 1e-12
                  ? `not convex: rises ${format.short(rise)} above the chord`
                  : 'convex: never above the chord',
              x: { title: 'x', domain: [-2, 2] },
              y: { title: 'f(x)' },
              width: 240,
              height: 180,
              series: [
                { name: fn.formula, points: sampleCurve(fn.f, -2, 2) },
                {
                  name: 'chord',
                  points: chord.map((x) => [x, fn.f(x)] as const),
                  style: 'line+points',
                },
              ],
            }),
          };
        }),
    }),
  ],
};
