import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { presetIds } from '../playground/presets.js';
import { airfoilOptimum } from './experiments/common.js';
import * as format from './format.js';
import { type Figure, renderSvg } from './plot.js';
import type { ExperimentRun, LabRun } from './run.js';
import type { Result, TraceResult } from './types.js';

/** How close a deterministic trace must come to the book's value to count as reproducing it. */
const bookTolerance = 1e-5;

/** The largest coordinate difference between our final point and the book's (float64) one. */
function bookDifference(result: TraceResult): number | undefined {
  if (result.book === undefined) return undefined;
  const ours = [result.final].flat();
  const theirs = [result.book.final].flat();
  return Math.max(...ours.map((x, i) => Math.abs(x - theirs[i])));
}

/** results.json: `{ experiments: { id: { section, title, ...result } } }`. */
function resultsJson(run: LabRun, version: string): string {
  const experiments: Record<string, unknown> = {};
  for (const r of run.runs) {
    experiments[r.id] = {
      section: r.section.number,
      title: r.title,
      seconds: r.seconds,
      ...r.result,
    };
  }
  return `${JSON.stringify({ generator: `descent ${version} lab`, seed: run.seed, quick: run.quick, experiments }, null, 1)}\n`;
}

interface Table {
  head: string[];
  rows: string[][];
}

/** The numbers of a section's runs, grouped into one table per kind of result. */
function tables(runs: readonly ExperimentRun[]): Table[] {
  const out: Table[] = [];
  const of = <K extends Result['kind']>(kind: K) =>
    runs.filter((r) => r.result.kind === kind) as (ExperimentRun & {
      result: Extract<Result, { kind: K }>;
    })[];
  const traces = of('trace');
  if (traces.length > 0) {
    out.push({
      head: ['experiment', 'settings', 'descent ends at', 'the book prints', '|descent − book|'],
      rows: traces.map(({ id, result }) => {
        const difference = bookDifference(result);
        return [
          id,
          format.settings(result.settings),
          format.point(result.final) + (result.note === undefined ? '' : ` (${result.note})`),
          result.book?.printed ?? `random: no book value (seed ${result.seed})`,
          difference === undefined
            ? '—'
            : `${format.short(difference)} ${difference <= bookTolerance ? '✓' : '✗'}`,
        ];
      }),
    });
  }
  const training = of('training');
  if (training.length > 0) {
    const best = airfoilOptimum();
    out.push({
      head: [
        'experiment',
        'optimizer',
        'settings',
        'final loss',
        'above the optimum',
        'seconds per epoch',
      ],
      rows: training.map(({ id, result }) => [
        id,
        result.optimizer,
        format.settings(result.settings),
        result.finalLoss.toFixed(4),
        format.short(result.finalLoss - best),
        format.short(result.secondsPerEpoch),
      ]),
    });
  }
  const values = [...of('illustration'), ...of('series')].flatMap(({ id, result }) =>
    Object.entries(result.values ?? {}).map(([name, value]) => [id, name, format.short(value)]),
  );
  if (values.length > 0) out.push({ head: ['experiment', 'quantity', 'value'], rows: values });
  for (const { result } of of('timing')) {
    out.push({
      head: ['matrix product', 'milliseconds', 'GFLOP/s', 'largest difference from the first'],
      rows: result.rows.map((r) => [
        r.method,
        format.short(r.seconds * 1000),
        format.short(r.gflops),
        format.short(r.maxDifference),
      ]),
    });
  }
  const notRun = of('not-run');
  if (notRun.length > 0) {
    out.push({
      head: ['experiment', 'status'],
      rows: notRun.map(({ id, title, result }) => [`${id} (${title})`, result.reason]),
    });
  }
  return out;
}

/** A result in two short cells, for the command's summary table: what it gave, and its check. */
export function resultSummary(result: Result): [string, string] {
  switch (result.kind) {
    case 'trace': {
      const difference = bookDifference(result);
      const check =
        difference === undefined
          ? `random (seed ${result.seed})`
          : `book ${difference <= bookTolerance ? '✓' : '✗'} (|Δ| ${format.short(difference)})`;
      return [format.point(result.final), check];
    }
    case 'training':
      return [
        `loss ${result.finalLoss.toFixed(4)}`,
        `optimum +${format.short(result.finalLoss - airfoilOptimum())}, ${format.short(result.secondsPerEpoch * 1000)} ms/epoch`,
      ];
    case 'timing': {
      const best = result.rows.reduce((a, b) => (b.gflops > a.gflops ? b : a));
      return [`${format.short(best.gflops)} GFLOP/s (${best.method})`, ''];
    }
    case 'not-run':
      return [result.reason, ''];
    default: {
      // A figure's numbers: its check against a formula or the book when it has one.
      const entries = Object.entries(result.values ?? {});
      const check = entries.find(([name]) => name.startsWith('largest'));
      const shown = check ?? entries[0];
      const text = shown === undefined ? '' : `${shown[0]}: ${format.short(shown[1])}`;
      return check === undefined ? [text, ''] : ['', text];
    }
  }
}

/** One line per kind of check, for the top of the report and the end of the command's output. */
export function summary(run: LabRun): string[] {
  const lines: string[] = [];
  const traces = run.runs.flatMap((r) =>
    r.result.kind === 'trace' && r.result.book ? [r.result] : [],
  );
  if (traces.length > 0) {
    const differences = traces.map((t) => bookDifference(t)!);
    const matching = differences.filter((d) => d <= bookTolerance).length;
    lines.push(
      `${matching} of ${traces.length} deterministic traces reproduce the book's printed values to ${format.short(bookTolerance)} (largest difference ${format.short(Math.max(...differences))}).`,
    );
  }
  const training = run.runs.flatMap((r) => (r.result.kind === 'training' ? [r.result] : []));
  if (training.length > 0) {
    const gaps = training.map((t) => t.finalLoss - airfoilOptimum());
    const [low, high] = [Math.min(...gaps), Math.max(...gaps)].map(format.short);
    const range = low === high ? `${low}` : `between ${low} and ${high}`;
    lines.push(
      `${training.length} airfoil run${training.length === 1 ? ' ends' : 's end'} ${range} above the least-squares optimum ${airfoilOptimum().toFixed(4)}.`,
    );
  }
  const notRun = run.runs.filter((r) => r.result.kind === 'not-run');
  if (notRun.length > 0) {
    const reasons = new Set(notRun.map((r) => (r.result as { reason: string }).reason));
    lines.push(`${notRun.length} experiments not run: ${[...reasons].join('; ')}.`);
  }
  return lines;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const escapeMarkdown = (text: string): string => text.replace(/\|/g, '\\|');

/**
 * An SVG made fit to sit inline among others: no namespace declarations (HTML needs none, and they
 * are the only URLs Vega writes) and element ids prefixed, since every Vega SVG numbers its clip
 * paths from the same counter.
 */
function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/ xmlns(:xlink)?="[^"]*"/g, '')
    .replace(/ id="([^"]+)"/g, ` id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

function markdown(run: LabRun, version: string, lines: string[]): string {
  const out = [
    '# descent lab: the optimization chapter of Dive into Deep Learning',
    '',
    `descent ${version}, seed ${run.seed}${run.quick ? ', quick mode' : ''}. Open index.html for the figures inline.`,
    '',
    ...lines.map((line) => `- ${line}`),
  ];
  for (const { section, runs, figures } of run.sections) {
    out.push('', `## ${section.number} ${section.title}`, '', section.summary);
    for (const table of tables(runs)) {
      out.push('', `| ${table.head.join(' | ')} |`, `|${table.head.map(() => ' --- ').join('|')}|`);
      for (const row of table.rows) out.push(`| ${row.map(escapeMarkdown).join(' | ')} |`);
    }
    if (figures.length > 0) {
      out.push('', ...figures.map((f) => `![${f.title}](figures/${f.id}.svg)`));
    }
  }
  return `${out.join('\n')}\n`;
}

const style = `
body { font: 15px/1.5 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1180px; padding: 0 24px 48px; }
h1 { font-size: 26px; margin: 28px 0 4px; } h2 { font-size: 21px; margin: 40px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #666; margin: 0 0 12px; } .summary { background: #f4f8fb; border-left: 4px solid #1f77b4; padding: 8px 16px; }
.summary li { margin: 2px 0; } nav { columns: 3; font-size: 14px; margin: 16px 0; } nav a { color: #1f5f99; text-decoration: none; }
p.about { max-width: 900px; }
table { border-collapse: collapse; margin: 14px 0; font-size: 13px; } th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 24px 32px; margin-top: 14px; }
figure { margin: 0; } figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; } figcaption a { color: #888; } figcaption a.playground { color: #1f5f99; margin-left: 12px; }
`;

/** The built playground (scripts/build-playground.mjs), the same path from src/lab/ and dist/lab/. */
const playgroundPage = new URL('../../dist/playground.html', import.meta.url);

/** A 1-D or 2-D figure's link to its preset in the playground the report carries. */
function playgroundLink(id: string): string {
  return presetIds.includes(id)
    ? ` <a class="playground" href="playground.html#preset=${encodeURIComponent(id)}">open in the playground</a>`
    : '';
}

function html(run: LabRun, version: string, lines: string[], svgs: Map<string, string>): string {
  const out = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>descent lab: the optimization chapter</title>',
    `<style>${style}</style></head><body>`,
    '<h1>descent lab: the optimization chapter of <i>Dive into Deep Learning</i></h1>',
    `<p class="meta">Every experiment of the chapter, run with descent ${escapeHtml(version)}’s own optimizers and schedules (seed ${run.seed}${run.quick ? ', quick mode' : ''}). Beside each deterministic result: the line the book’s code prints.</p>`,
    `<ul class="summary">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    `<nav>${run.sections.map(({ section }) => `<div><a href="#${section.slug}">${section.number} ${escapeHtml(section.title)}</a></div>`).join('')}</nav>`,
  ];
  for (const { section, runs, figures } of run.sections) {
    out.push(
      `<section id="${section.slug}"><h2>${section.number} ${escapeHtml(section.title)}</h2>`,
    );
    out.push(`<p class="about">${escapeHtml(section.summary)}</p>`);
    for (const table of tables(runs)) {
      out.push(
        `<table><thead><tr>${table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`,
        ...table.rows.map(
          (row) =>
            `<tr>${row.map((cell, i) => `<td${i > 0 && /^[−\d(x]/.test(cell) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
        ),
        '</tbody></table>',
      );
    }
    if (figures.length > 0) {
      out.push('<div class="figures">');
      for (const f of figures) {
        out.push(
          `<figure id="figure-${f.id}">${inlineSvg(svgs.get(f.id)!, f.id)}<figcaption><a href="figures/${f.id}.svg">figures/${f.id}.svg</a>${playgroundLink(f.id)}</figcaption></figure>`,
        );
      }
      out.push('</div>');
    }
    out.push('</section>');
  }
  out.push('</body></html>');
  return `${out.join('\n')}\n`;
}

async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return JSON.parse(text).version as string;
}

/**
 * Renders every figure and writes index.html, report.md, results.json, figures/ and playground.html
 * into `dir`.
 */
export async function writeReport(
  dir: string,
  run: LabRun,
  onFigure?: (done: number, total: number) => void,
): Promise<{ files: string[] }> {
  const version = await packageVersion();
  await mkdir(join(dir, 'figures'), { recursive: true });
  const figures: Figure[] = run.sections.flatMap((s) => s.figures);
  const svgs = new Map<string, string>();
  for (const [i, figure] of figures.entries()) {
    const svg = await renderSvg(figure.spec);
    svgs.set(figure.id, svg);
    await writeFile(join(dir, 'figures', `${figure.id}.svg`), svg);
    onFigure?.(i + 1, figures.length);
  }
  const lines = summary(run);
  const files = {
    'index.html': html(run, version, lines, svgs),
    'report.md': markdown(run, version, lines),
    'results.json': resultsJson(run, version),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  // The playground, one self-contained file, where the figures' links open their presets.
  await copyFile(playgroundPage, join(dir, 'playground.html'));
  return {
    files: [...Object.keys(files), 'playground.html', ...figures.map((f) => `figures/${f.id}.svg`)],
  };
}
