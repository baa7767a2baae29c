import { type Dataset, loadAirfoil } from './airfoil.js';
import { sections } from './experiments/index.js';
import type { Figure } from './plot.js';
import { createRandom } from './random.js';
import type { Experiment, Result, Section } from './types.js';

export interface LabOptions {
  /** Experiment ids to run (default: all). */
  only?: readonly string[];
  /** Seed of every random experiment (noise, initial weights, shuffles); default 0. */
  seed?: number;
  /** For tests: brief matrix-product timings, no Fashion-MNIST training; the rest in full. */
  quick?: boolean;
  /** Start, progress and end of each experiment, for progress bars and logs. */
  onEvent?(event: LabEvent): void;
  /** The directory of Fashion-MNIST's IDX files, when not Debian's. */
  fashionMnist?: string;
  /** Epochs of the Fashion-MNIST runs (default: the chapter's 30). */
  epochs?: number;
  /**
   * A directory where each Fashion-MNIST run saves a checkpoint after every epoch,
   * `<dir>/<experiment id>.safetensors` (src/lab/resume.ts), replaced atomically: a run killed
   * midway loses at most an epoch.
   */
  checkpoint?: string;
  /**
   * Continues each of those runs from its checkpoint in `checkpoint` (required), where it has
   * one, to `epochs` in all: the results are those of an uninterrupted run, and a run already
   * done is not trained again. A run without one starts afresh.
   */
  resume?: boolean;
}

export type LabEvent =
  | { type: 'start'; id: string; title: string; index: number; count: number }
  | { type: 'progress'; id: string; done: number; total: number }
  /** A run asked to resume found its checkpoint, after `epochsDone` epochs, or none (null). */
  | { type: 'resume'; id: string; file: string; epochsDone: number | null }
  | { type: 'end'; id: string; seconds: number; result: Result };

export interface ExperimentRun {
  id: string;
  title: string;
  section: Section;
  result: Result;
  /** Wall-clock time the experiment took. */
  seconds: number;
}

export interface LabRun {
  seed: number;
  quick: boolean;
  runs: ExperimentRun[];
  /** Each section that ran something, with its figures in order. */
  sections: { section: Section; runs: ExperimentRun[]; figures: Figure[] }[];
}

export { sections };

function experimentIds(): string[] {
  return sections.flatMap((s) => s.experiments.map((e) => e.id));
}

/** Checks `--only` ids before anything runs; throws a RangeError naming the first unknown one. */
export function checkIds(ids: readonly string[]): void {
  const known = new Set(experimentIds());
  for (const id of ids) {
    if (!known.has(id)) {
      throw new RangeError(
        `Unknown experiment id: ${JSON.stringify(id)} (list them with: descent lab --list)`,
      );
    }
  }
}

/** Runs the chapter's experiments (all, or those in `only`) in the chapter's order. */
export async function runLab(options: LabOptions = {}): Promise<LabRun> {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Invalid seed: ${seed} (expected an integer in [0, 4294967295])`);
  }
  if (options.only !== undefined) checkIds(options.only);
  if (options.resume === true && options.checkpoint === undefined) {
    throw new RangeError('Invalid resume: true (it continues from checkpoint, which is not given)');
  }
  const { checkpoint } = options;
  const wanted = options.only === undefined ? undefined : new Set(options.only);
  const selected = sections.flatMap((section) =>
    section.experiments
      .filter((e) => wanted === undefined || wanted.has(e.id))
      .map((experiment) => ({ section, experiment })),
  );
  let airfoil: Dataset | undefined;
  const runs: ExperimentRun[] = [];
  for (const [index, { section, experiment }] of selected.entries()) {
    const { id, title } = experiment;
    options.onEvent?.({ type: 'start', id, title, index, count: selected.length });
    const began = performance.now();
    const result = await experiment.run({
      seed,
      random: createRandom(seed, id),
      quick: options.quick ?? false,
      airfoil: () => {
        airfoil ??= loadAirfoil();
        return airfoil;
      },
      progress: (done, total) => options.onEvent?.({ type: 'progress', id, done, total }),
      fashionMnist: options.fashionMnist,
      epochs: options.epochs,
      checkpoint:
        checkpoint === undefined
          ? undefined
          : {
              dir: checkpoint,
              resume: options.resume ?? false,
              onResume: (file, epochsDone) =>
                options.onEvent?.({ type: 'resume', id, file, epochsDone }),
            },
    });
    const seconds = (performance.now() - began) / 1000;
    options.onEvent?.({ type: 'end', id, seconds, result });
    runs.push({ id, title, section, result, seconds });
  }
  return {
    seed,
    quick: options.quick ?? false,
    runs,
    sections: sections.flatMap((section) => {
      const ran = runs.filter((r) => r.section === section);
      if (ran.length === 0) return [];
      const results = new Map(ran.map((r) => [r.id, r.result]));
      const figures = ran.flatMap((r) => figuresOf(section, r));
      figures.push(...(section.figures?.(results) ?? []));
      return [{ section, runs: ran, figures }];
    }),
  };
}

function figuresOf(section: Section, run: ExperimentRun): Figure[] {
  const experiment = section.experiments.find((e) => e.id === run.id) as Experiment;
  return experiment.figures?.(run.result) ?? [];
}
