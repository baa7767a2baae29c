import { bookSchedule } from '../book.js';
import * as format from '../format.js';
import {
  describeCall,
  findSchedule,
  type OptionValue,
  scheduleOptions,
  scheduleValues,
} from '../schedules.js';
import type { Experiment, Section, SeriesResult } from '../types.js';
import { define, seriesFigure } from './common.js';
import { scheduleTrainingFigures, scheduleTrainingRuns } from './schedule-train.js';

/**
 * The section's schedule plots, from descent's schedules with the chapter's settings (the
 * registry's defaults). The multi-factor plot is PyTorch's MultiStepLR driving an SGD optimizer,
 * as the book's PyTorch code has it. Its twin is the book's MultiFactorScheduler as descent has
 * it, MXNet's class (the book's MXNet code), which changes the rate one epoch later: MultiStepLR
 * at epoch t must agree with it at t + `lag`.
 */
const plots: {
  id: string;
  name: string;
  options?: Record<string, OptionValue>;
  twin?: { name: string; lag: number };
}[] = [
  { id: 'schedule-square-root', name: 'square-root' },
  { id: 'schedule-factor', name: 'factor' },
  { id: 'schedule-multi-factor', name: 'MultiStepLR', twin: { name: 'multi-factor', lag: 1 } },
  { id: 'schedule-cosine', name: 'cosine' },
  { id: 'schedule-cosine-warmup', name: 'cosine', options: { warmupSteps: 5 } },
];

const largestDifference = (a: readonly number[], b: readonly number[]): number =>
  Math.max(...a.map((x, i) => Math.abs(x - b[i])));

function scheduleExperiment(plot: (typeof plots)[number]): Experiment {
  const entry = findSchedule(plot.name);
  const options = scheduleOptions(entry, plot.options);
  const title = describeCall(entry, options);
  return define<SeriesResult>({
    id: plot.id,
    title,
    run: () => {
      const y = scheduleValues(entry, options);
      const values: Record<string, number> = {
        'learning rate at t = 0': y[0],
        [`learning rate at t = ${y.length - 1}`]: y[y.length - 1],
      };
      const book = bookSchedule(plot.id);
      if (book !== undefined)
        values['largest |descent − the book’s scheduler|'] = largestDifference(y, book);
      if (plot.twin !== undefined) {
        const { name, lag } = plot.twin;
        const twin = findSchedule(name);
        const twinOptions = scheduleOptions(twin);
        const later = scheduleValues(twin, twinOptions, y.length + lag).slice(lag);
        values[`largest |descent − ${describeCall(twin, twinOptions)} ${lag} epoch later|`] =
          largestDifference(y, later);
      }
      return {
        kind: 'series',
        xTitle: 'epoch t',
        yTitle: 'learning rate',
        series: [{ name: title, x: y.map((_, t) => t), y }],
        values,
      };
    },
    figures: (result) => {
      const book = result.values?.['largest |descent − the book’s scheduler|'];
      const subtitle = [title];
      if (book !== undefined)
        subtitle.push(`largest difference from the book’s scheduler: ${format.short(book)}`);
      return [seriesFigure(plot.id, 'learning rate against epochs', result, subtitle)];
    },
  });
}

export const lrScheduling: Section = {
  number: '12.11',
  slug: 'lr-scheduling',
  title: 'Learning rate scheduling',
  summary:
    'The schedules of the section, from descent’s schedules: the book’s square-root, factor and cosine schedulers (with and without warmup), and PyTorch’s MultiStepLR driving an SGD optimizer as the book does. Each is checked against the learning rates the book’s own scheduler classes give. The training runs compare them on the book’s modernized LeNet (ReLU, max pooling) on Fashion-MNIST, trained with TensorFlow.js through descent’s tfjs adapter: SGD, batch 256, base learning rate 0.3, the rate of epoch t being schedule(t); they need the data set (apt-get install dataset-fashion-mnist, or --fashion-mnist DIR) and run 30 epochs unless --epochs says otherwise.',
  experiments: [...plots.map(scheduleExperiment), ...scheduleTrainingRuns],
  figures: scheduleTrainingFigures,
};
