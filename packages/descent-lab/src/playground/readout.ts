/** The readout: a row per run with its final point, final f, when it reached the minimum, whether it diverged. */
import type { PlaygroundFunction } from './functions.js';
import type { RunResult, RunSettings } from './runs.js';

/** How the readout writes a number: 7 significant digits. */
export const digits = (x: number): string => (Number.isFinite(x) ? x.toPrecision(7) : String(x));

/** The first step at which f − f_min ≤ tol, if the function has a least value and the run got there. */
export function reachedAt(
  result: RunResult,
  fn: PlaygroundFunction,
  tol: number,
): number | undefined {
  if (fn.fmin === undefined) return undefined;
  for (let t = 0; t < result.values.length; t++) if (result.values[t] - fn.fmin <= tol) return t;
  return undefined;
}

/** The final point of a run. */
export function finalPoint(result: RunResult, dim: number): number[] {
  return Array.from(result.path.subarray(result.steps * dim, (result.steps + 1) * dim));
}

/** A run's settings in a few words: "SGD lr 0.6, momentum 0.5 · exponentialDecay". */
export function describe(settings: RunSettings): string {
  const options = Object.entries(settings.options)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`)
    .join(', ');
  const extra = [
    settings.schedule === undefined ? '' : ` · ${settings.schedule.name}`,
    settings.noise === undefined ? '' : ` · noise σ ${settings.noise.sd}`,
  ].join('');
  return `${settings.optimizer}${options === '' ? '' : ` ${options}`}${extra}`;
}

/** The readout table's body rows. */
export function readoutRows(
  runs: readonly { settings: RunSettings; result: RunResult; color: string }[],
  fn: PlaygroundFunction,
  tol: number,
): HTMLTableRowElement[] {
  return runs.map(({ settings, result, color }, i) => {
    const row = document.createElement('tr');
    row.dataset.run = String(i);
    const final = finalPoint(result, fn.dim);
    const reached = reachedAt(result, fn, tol);
    const cells: [string, string][] = [
      ['run', `${i + 1}. ${describe(settings)}`],
      ['final', `(${final.map(digits).join(', ')})`],
      ['f', digits(result.values[result.steps])],
      ['reached', reached === undefined ? '—' : String(reached)],
      ['diverged', result.diverged === undefined ? 'no' : `yes, at step ${result.diverged}`],
    ];
    for (const [name, text] of cells) {
      const cell = document.createElement('td');
      cell.className = name;
      cell.textContent = text;
      if (name === 'run') {
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = color;
        cell.prepend(swatch);
      }
      row.append(cell);
    }
    return row;
  });
}
