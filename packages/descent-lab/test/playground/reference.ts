/**
 * Node's side of the playground's checks: what the lab itself computes for each preset (its own
 * experiments, run in Node on descent), and descent's optimizers stepped directly by a plain loop,
 * independently of the page's code.
 */

import type { Optimizer, Param } from 'descent';
import * as descent from 'descent';
import { runLab } from '../../src/lab/run.js';
import { runTrace } from '../../src/lab/trace.js';
import { functionById } from '../../src/playground/functions.js';
import { presetIds } from '../../src/playground/presets.js';

/** The lab's final point of each preset: a trace's final, or the minimum an illustration finds. */
export async function labFinals(): Promise<Map<string, number[]>> {
  const labIds = new Set(
    (await import('../../src/lab/run.js')).sections.flatMap((s) => s.experiments.map((e) => e.id)),
  );
  const lab = await runLab({ only: presetIds.filter((id) => labIds.has(id)) });
  const finals = new Map<string, number[]>();
  for (const r of lab.runs) {
    if (r.result.kind === 'trace') finals.set(r.id, [r.result.final].flat());
    if (r.id === 'challenges-local-minima' && r.result.kind === 'illustration')
      finals.set(r.id, [r.result.values['local minimum x']]);
  }
  return finals;
}

/** descent's `optimizer` with `options` from `start` on a playground function: the final point. */
export function descentFinal(
  fnId: string,
  optimizer: string,
  options: Record<string, unknown>,
  start: number[],
  steps: number,
  lr?: (t: number) => number,
): number[] {
  const fn = functionById(fnId);
  const Class = (
    descent as unknown as Record<string, new (p: Param[], o: object) => Optimizer<object>>
  )[optimizer];
  const path = runTrace({
    gradient: (x, grad) => fn.grad(x, grad),
    optimizer: (params) =>
      new Class(
        params,
        optimizer === 'Newton'
          ? { ...options, hessian: ([p]: Param[]) => fn.hess(p.data) }
          : options,
      ),
    start,
    steps,
    beforeStep:
      lr === undefined
        ? undefined
        : (t, opt) => {
            for (const group of opt.paramGroups) group.lr = lr(t);
          },
  });
  return path[path.length - 1];
}

/** How the page's readout writes a coordinate: 7 significant digits. */
export const shown = (x: number): string => x.toPrecision(7);
