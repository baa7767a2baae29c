import type { OptionValue } from 'descent';
import type { CurvePoint, Dataset } from './airfoil.js';
import type { Figure } from './plot.js';
import type { Random } from './random.js';

/** The book's printed line for a deterministic trace, and the exact value behind it. */
export interface BookValue {
  printed: string;
  final: number | [number, number];
}

/** A path of an optimizer on a test function (1-D: numbers; 2-D: [x1, x2] points). */
export interface TraceResult {
  kind: 'trace';
  function: string;
  settings: Record<string, OptionValue>;
  path: number[] | [number, number][];
  final: number | [number, number];
  /** What the book prints, for deterministic traces. */
  book?: BookValue;
  /** The seed of the noise, for random traces. */
  seed?: number;
  /** Why a reader should look twice (divergence, an uphill step). */
  note?: string;
}

/** An airfoil training run. */
export interface TrainingResult {
  kind: 'training';
  optimizer: string;
  settings: Record<string, OptionValue>;
  finalLoss: number;
  curve: CurvePoint[];
  secondsPerEpoch: number;
  seed: number;
}

/** Named curves of a quantity against t (effective weights, schedules, the scalar case). */
export interface SeriesResult {
  kind: 'series';
  xTitle: string;
  yTitle: string;
  series: { name: string; x: number[]; y: number[] }[];
  /** Numbers worth a row in the report's table (e.g. the largest deviation from a formula). */
  values?: Record<string, number>;
}

/** An illustration of functions (the chapter's first two sections), with the numbers it shows. */
export interface IllustrationResult {
  kind: 'illustration';
  values: Record<string, number>;
}

export interface TimingResult {
  kind: 'timing';
  size: number;
  rows: { method: string; seconds: number; gflops: number; maxDifference: number }[];
}

export interface NotRunResult {
  kind: 'not-run';
  reason: string;
}

export type Result =
  | TraceResult
  | TrainingResult
  | SeriesResult
  | IllustrationResult
  | TimingResult
  | NotRunResult;

export interface RunContext {
  /** The lab's seed, as a reader passes it to --seed; `random` mixes it with the id. */
  seed: number;
  random: Random;
  quick: boolean;
  /** The standardized airfoil set, loaded once. */
  airfoil(): Dataset;
  /** Reports progress, e.g. examples seen out of the run's total. */
  progress(done: number, total: number): void;
  /** The directory of Fashion-MNIST's IDX files, when not Debian's (`--fashion-mnist`). */
  fashionMnist?: string;
  /** Epochs of the Fashion-MNIST runs, to shorten them (`--epochs`). */
  epochs?: number;
  /** Where the Fashion-MNIST runs save themselves, and whether they resume (see LabOptions). */
  checkpoint?: {
    dir: string;
    resume: boolean;
    /** When resuming, before the run: the epochs its checkpoint had done, or null if none. */
    onResume(file: string, epochsDone: number | null): void;
  };
}

export interface Experiment<R extends Result = Result> {
  id: string;
  /** What it shows, in a line. */
  title: string;
  run(context: RunContext): R | Promise<R>;
  /** Its own figures. */
  figures?(result: R): Figure[];
}

/** A section of the chapter: its experiments and any figure that puts several together. */
export interface Section {
  number: string;
  slug: string;
  title: string;
  /** A paragraph for the report: what the section shows and what to look for. */
  summary: string;
  experiments: Experiment[];
  /** Figures drawn from several results; gets only the results that ran. */
  figures?(results: ReadonlyMap<string, Result>): Figure[];
}
