import { existsSync } from 'node:fs';
import type { Json } from 'descent';
import { type CheckpointTarget, loadCheckpointSync, saveCheckpointSync } from 'descent/node';

/** A JSON object (not null, not an array): what a checkpoint's `extra` and its parts must be. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Training runs that save themselves after every epoch and can continue from there:
 * `descent compare --checkpoint DIR [--resume]`, and the Fashion-MNIST runs of
 * `descent lab --checkpoint DIR [--resume]`. A run's file (src/node/checkpoint.ts, replaced
 * atomically, so a run killed at any moment loses at most the epoch it was in) holds its
 * parameters, its optimizer's state, and in `extra`
 *
 *     { run: identity, epoch: epochs done, ...what the training loop needs to go on }
 *
 * The identity says what the run is (what it trains, with which settings, seed and data): a
 * checkpoint of another run is refused, naming the file and what differs, since continuing from
 * it would splice two runs together. The training loop restores the rest (replaying its random
 * draws), so that the resumed run is the one an uninterrupted run would have been.
 */

/** How far a run has gone: the epochs done, and whatever else its loop keeps. */
export interface EpochProgress {
  epoch: number;
}

export interface ResumableRun<P extends EpochProgress> {
  /** The run's checkpoint file. */
  file: string;
  /** Continue from `file` where there is one (else start afresh); without it, only save. */
  resume: boolean;
  /** What identifies the run, as JSON. */
  identity: { [key: string]: Json };
  /** Epochs asked for: a checkpoint that has done more is refused. */
  epochs: number;
  /** The command whose checkpoints these are ("descent compare"), for a file that is none. */
  writer: string;
  /**
   * The loop's progress from a saved `extra` (its integer `epoch` checked already), checked and
   * copied; undefined when it is not what the loop saves.
   */
  readProgress(saved: Record<string, unknown>): P | undefined;
  /** When resuming, before the run: the epochs its checkpoint had done, or null if it has none. */
  onResume?(file: string, epochsDone: number | null): void;
}

/** The two ends of a resumable run, for the training loop's `resume` and `onEpoch` hooks. */
export interface Checkpointed<P extends EpochProgress> {
  /** Loads the checkpoint into `target` when resuming from one, and returns its progress. */
  restore(target: CheckpointTarget): P | null;
  /** Saves `target` and the progress after an epoch. */
  save(target: CheckpointTarget, progress: P): void;
}

export function resumable<P extends EpochProgress>(run: ResumableRun<P>): Checkpointed<P> {
  const { file, identity, epochs } = run;
  const refuse = (problem: string) => new Error(`Cannot resume from ${file}: ${problem}`);
  return {
    restore(target) {
      if (!run.resume) return null;
      let saved: P | undefined;
      if (existsSync(file)) {
        const { extra } = loadCheckpointSync(file, target);
        const valid =
          isRecord(extra) &&
          isRecord(extra.run) &&
          Number.isInteger(extra.epoch) &&
          (extra.epoch as number) >= 0;
        saved = valid ? run.readProgress(extra) : undefined;
        if (saved === undefined) throw refuse(`not a checkpoint of ${run.writer}`);
        const differ = differences((extra as { run: unknown }).run, identity);
        if (differ.length > 0) {
          const list = (side: 'saved' | 'live') =>
            differ.map((d) => `${d.path} ${show(d[side])}`).join(', ');
          throw refuse(
            `it was saved by a run with ${list('saved')}, and this one has ${list('live')}`,
          );
        }
        if (saved.epoch > epochs) {
          throw refuse(`it has done ${saved.epoch} epochs, more than the ${epochs} asked for`);
        }
      }
      run.onResume?.(file, saved === undefined ? null : saved.epoch);
      return saved ?? null;
    },
    save(target, progress) {
      saveCheckpointSync(file, { ...target, extra: { run: identity, ...progress } });
    },
  };
}

/** Each place where two JSON values differ (`settings.lr`, `seed`), with both values there. */
function differences(
  saved: unknown,
  live: unknown,
  path = '',
): { path: string; saved: unknown; live: unknown }[] {
  if (isRecord(saved) && isRecord(live)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(live)])];
    return keys.flatMap((key) =>
      differences(saved[key], live[key], path === '' ? key : `${path}.${key}`),
    );
  }
  return JSON.stringify(saved) === JSON.stringify(live) ? [] : [{ path, saved, live }];
}

const show = (value: unknown): string => (value === undefined ? 'none' : JSON.stringify(value));
