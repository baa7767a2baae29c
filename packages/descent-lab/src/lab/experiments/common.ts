import { SGD } from 'descent';
import {
  type Dataset,
  leastSquares,
  loadAirfoil,
  type TrainOptions,
  trainLinearRegression,
} from '../airfoil.js';
import { bookValue } from '../book.js';
import * as format from '../format.js';
import type { Function1D, Function2D } from '../functions.js';
import { type ResolvedOptimizer, resolveOptimizer, type Settings } from '../optimizers.js';
import { type Figure, lineChart, traceOnContour, traceOnCurve } from '../plot.js';
import type { Random } from '../random.js';
import { type MakeOptimizer, trace1d, trace2d } from '../trace.js';
import type { Experiment, Result, SeriesResult, TraceResult, TrainingResult } from '../types.js';

/** Erases an experiment's result type so sections can list experiments of every kind. */
export function define<R extends Result>(experiment: Experiment<R>): Experiment {
  return experiment as unknown as Experiment;
}

function subtitle(result: TraceResult): string[] {
  const lines = [`${format.settings(result.settings)}: ends at ${format.point(result.final)}`];
  if (result.book !== undefined) lines.push(`the book prints "${result.book.printed}"`);
  if (result.seed !== undefined) lines.push(`gradient noise N(0, 1), seed ${result.seed}`);
  if (result.note !== undefined) lines.push(result.note);
  return lines;
}

export interface Trace1dSpec {
  id: string;
  title: string;
  fn: Function1D;
  optimizer: MakeOptimizer;
  settings: Settings;
  /** A remark on the path, e.g. that it went uphill. */
  note?(path: number[], fn: Function1D): string | undefined;
}

/** A deterministic 1-D trace from x = 10 (10 steps), drawn on the function's curve. */
export function trace1dExperiment(spec: Trace1dSpec): Experiment {
  return define<TraceResult>({
    id: spec.id,
    title: spec.title,
    run: () => {
      const path = trace1d(spec.fn, spec.optimizer);
      return {
        kind: 'trace',
        function: spec.fn.formula,
        settings: spec.settings,
        path,
        final: path[path.length - 1],
        book: bookValue(spec.id),
        note: spec.note?.(path, spec.fn),
      };
    },
    figures: (result) => [
      {
        id: spec.id,
        title: spec.title,
        spec: traceOnCurve(spec.fn, result.path as number[], {
          title: `${spec.id}: ${spec.fn.formula}`,
          subtitle: subtitle(result),
        }),
      },
    ],
  });
}

/** The chapter's window for 2-D traces. */
const window2d = { x1: [-5.5, 1] as const, x2: [-3, 1] as const };

export interface Trace2dSpec {
  id: string;
  title: string;
  fn: Function2D;
  optimizer: MakeOptimizer;
  settings: Settings;
  steps?: number;
  /** Adds N(0, 1) noise to the gradient from the experiment's random stream. */
  noisy?: boolean;
  /** Learning rate at step t (t = 1, 2, ...). */
  lr?: (t: number) => number;
}

/** A 2-D trace from (−5, −2) on the contour plot; a path leaving the window is clipped and said so. */
export function trace2dExperiment(spec: Trace2dSpec): Experiment {
  return define<TraceResult>({
    id: spec.id,
    title: spec.title,
    run: (context) => {
      const path = trace2d(spec.fn, spec.optimizer, {
        steps: spec.steps,
        noise: spec.noisy ? context.random : undefined,
        lr: spec.lr,
      });
      const final = path[path.length - 1];
      return {
        kind: 'trace',
        function: spec.fn.formula,
        settings: spec.settings,
        path,
        final,
        book: bookValue(spec.id),
        seed: spec.noisy ? context.seed : undefined,
        note: divergence(path),
      };
    },
    figures: (result) => {
      const path = result.path as [number, number][];
      const { clipped, ...window } = plotWindow(path);
      const lines = subtitle(result);
      if (clipped) lines.push('the path is clipped to the book’s window');
      return [
        {
          id: spec.id,
          title: spec.title,
          spec: traceOnContour(spec.fn, [{ name: 'iterates', points: path }], {
            title: `${spec.id}: ${spec.fn.formula}`,
            subtitle: lines,
            ...window,
          }),
        },
      ];
    },
  });
}

/** Says so when a path ends farther out than it started, and how far. */
function divergence(path: [number, number][]): string | undefined {
  const size = (p: [number, number]) => Math.max(Math.abs(p[0]), Math.abs(p[1]));
  const final = path[path.length - 1];
  if (!(size(final) > size(path[0]))) return undefined;
  const axis = Math.abs(final[0]) >= Math.abs(final[1]) ? 0 : 1;
  return `diverges: x${'₁₂'[axis]} reaches ${format.short(final[axis])}`;
}

/**
 * The book's window, widened to take in the whole path as matplotlib's autoscaling does, unless
 * that would shrink the contours to nothing: a path that runs far off is clipped instead.
 */
function plotWindow(path: [number, number][]): {
  x1: readonly [number, number];
  x2: readonly [number, number];
  clipped: boolean;
} {
  const book = [window2d.x1, window2d.x2];
  const [x1, x2] = book.map(([low, high], axis) => {
    const values = path.map((p) => p[axis]);
    const pad = 0.05 * (high - low);
    const min = Math.min(...values);
    const max = Math.max(...values);
    return [min < low ? min - pad : low, max > high ? max + pad : high] as const;
  });
  const clipped = [x1, x2].some(
    ([low, high], axis) => high - low > 3 * (book[axis][1] - book[axis][0]),
  );
  return clipped ? { x1: book[0], x2: book[1], clipped } : { x1, x2, clipped };
}

export interface AirfoilSpec {
  id: string;
  title: string;
  /** A name `resolveOptimizer` knows, and options over the book's settings for it. */
  optimizer: string;
  options?: Record<string, number>;
  batchSize: number;
  epochs?: number;
}

/** Linear regression on the airfoil data with one of descent's optimizers, as a lab result. */
export function trainAirfoil(
  optimizer: ResolvedOptimizer,
  o: {
    data: Dataset;
    batchSize: number;
    epochs: number;
    random: Random;
    seed: number;
    onProgress?: (done: number, total: number) => void;
    resume?: TrainOptions['resume'];
    onEpoch?: TrainOptions['onEpoch'];
  },
): TrainingResult {
  const result = trainLinearRegression(o.data, {
    optimizer: optimizer.make,
    batchSize: o.batchSize,
    epochs: o.epochs,
    random: o.random,
    onProgress: o.onProgress,
    resume: o.resume,
    onEpoch: o.onEpoch,
  });
  return {
    kind: 'training',
    optimizer: optimizer.className,
    settings: { ...optimizer.settings, batchSize: o.batchSize, epochs: o.epochs },
    finalLoss: result.finalLoss,
    curve: result.curve,
    secondsPerEpoch: result.secondsPerEpoch,
    seed: o.seed,
  };
}

/** An airfoil experiment; its optimizer and options are checked when the lab loads. */
export function airfoilExperiment(spec: AirfoilSpec): Experiment {
  const optimizer = resolveOptimizer(spec.optimizer, spec.options);
  return define<TrainingResult>({
    id: spec.id,
    title: spec.title,
    run: (context) =>
      trainAirfoil(optimizer, {
        data: context.airfoil(),
        batchSize: spec.batchSize,
        epochs: spec.epochs ?? 2,
        random: context.random,
        seed: context.seed,
        onProgress: context.progress,
      }),
  });
}

let optimum: number | undefined;

/** The least loss a linear model reaches on the airfoil data (normal equations). */
export function airfoilOptimum(data: Dataset = loadAirfoil()): number {
  optimum ??= leastSquares(data).loss;
  return optimum;
}

/**
 * Loss against epochs and against seconds for those of `runs` that ran, with the least-squares
 * optimum as a reference line.
 */
export function airfoilFigures(
  slug: string,
  results: ReadonlyMap<string, Result>,
  runs: readonly { id: string; title: string }[],
): Figure[] {
  const ran = runs.flatMap((run) => {
    const result = results.get(run.id);
    return result?.kind === 'training' ? [{ ...run, result }] : [];
  });
  if (ran.length === 0) return [];
  const best = airfoilOptimum();
  const rules = [{ y: best, label: `least-squares optimum ${best.toFixed(4)}` }];
  const series = (x: 'epoch' | 'seconds') =>
    ran.map(({ title, result }) => ({
      name: `${title}: ${result.finalLoss.toFixed(4)}`,
      points: result.curve.map((p) => [p[x], p.loss] as const),
      style: 'line+points' as const,
    }));
  // The book's view: from just under the optimum to 0.35, so the runs' endings stay apart; the
  // first points of slow runs (and any divergent run) are clipped rather than flattening the rest.
  const top = Math.max(...ran.flatMap(({ result }) => result.curve.map((p) => p.loss)));
  const domain = [Math.floor(best * 100 - 1) / 100, Math.min(top, 0.35)] as const;
  const loss = { title: 'loss (all 1500 rows)', domain };
  const clipped = top > domain[1] ? `; y clipped at ${domain[1]}` : '';
  return [
    {
      id: `${slug}-loss-epochs`,
      title: 'Airfoil: loss against epochs',
      spec: lineChart({
        title: 'Airfoil: loss against epochs',
        subtitle: `final loss in the legend${clipped}`,
        x: { title: 'epoch' },
        y: loss,
        series: series('epoch'),
        rules,
      }),
    },
    {
      id: `${slug}-loss-time`,
      title: 'Airfoil: loss against time',
      spec: lineChart({
        title: 'Airfoil: loss against training time',
        subtitle: `evaluation excluded, as the book times it${clipped}`,
        x: { title: 'seconds', log: true },
        y: loss,
        series: series('seconds'),
        rules,
      }),
    },
  ];
}

/** A figure-only experiment: named curves of a formula or a run against t. */
export function seriesFigure(
  id: string,
  title: string,
  result: SeriesResult,
  subtitle?: string | string[],
): Figure {
  return {
    id,
    title,
    spec: lineChart({
      title: `${id}: ${title}`,
      subtitle,
      x: { title: result.xTitle },
      y: { title: result.yTitle },
      series: result.series.map((s) => ({
        name: s.name,
        points: s.x.map((x, i) => [x, s.y[i]] as const),
        style: 'line+points',
      })),
    }),
  };
}

/** descent's SGD: gradient descent, or heavy-ball momentum (v ← βv + g, x ← x − ηv) when β > 0. */
export function sgd(lr: number, momentum = 0): MakeOptimizer {
  return (params) => new SGD(params, { lr, momentum });
}
