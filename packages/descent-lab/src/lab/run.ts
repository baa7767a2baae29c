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
}

export type LabEvent =
  | { type: 'start'; id: string; title: string; index: number; count: number }
  | { type: 'progress'; id: string; done: number; total: number }
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
