import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { type ContourLine, contours, niceLevels, sampleGrid } from './contour.js';
import type { Function1D, Function2D } from './functions.js';
import { installTextWidth } from './text-width.js';

/**
 * The lab's figures: Vega-Lite specifications, compiled and rendered to SVG by Vega in Node (no
 * browser, no network), and to PNG through resvg.
 */

/** A figure of the report: `id` names its file in figures/. */
export interface Figure {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

export type Point = readonly [number, number];

export interface Series {
  name: string;
  points: readonly Point[];
  /** 'line' (default), 'points', 'line+points', or 'dashed'. */
  style?: 'line' | 'points' | 'line+points' | 'dashed';
  /** Overrides the palette's colour. */
  color?: string;
}

export interface Axis {
  title: string;
  log?: boolean;
  /** Fixed extent; marks outside it are clipped rather than stretching the scale. */
  domain?: readonly [number, number];
}

export interface LineChartOptions {
  title: string;
  subtitle?: string | string[];
  x: Axis;
  y: Axis;
  series: readonly Series[];
  /** Horizontal reference lines, labelled in the legend. */
  rules?: readonly { y: number; label: string }[];
  width?: number;
  height?: number;
}

/** matplotlib's default cycle, which the book's figures use. */
const palette = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const config = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 260 },
  view: { stroke: '#ccc' },
} as const;

/**
 * The builders assemble specifications from loosely typed parts; Vega-Lite checks them when it
 * compiles, which every figure goes through.
 */
function asSpec(spec: Record<string, unknown>): TopLevelSpec {
  return spec as unknown as TopLevelSpec;
}

/** Scales fit the data, not zero: the book's plots start where the values do. */
function scale(axis: Axis): Record<string, unknown> {
  return {
    type: axis.log ? 'log' : 'linear',
    ...(axis.log ? {} : { zero: false }),
    nice: axis.domain === undefined,
    ...(axis.domain === undefined ? {} : { domain: [...axis.domain] }),
  };
}

function title(text: string, subtitle?: string | string[]): Record<string, unknown> {
  return subtitle === undefined ? { text } : { text, subtitle };
}

/**
 * Axis options: a log axis gets ticks at powers of ten only, since Vega's log ticks at 2, 3, 5
 * times each power crowd into one another on a short axis.
 */
function axisOf(axis: Axis, values: readonly number[]): Record<string, unknown> {
  if (!axis.log || values.length === 0) return {};
  const [low, high] = axis.domain ?? [Math.min(...values), Math.max(...values)];
  const decades: number[] = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++)
    decades.push(10 ** e);
  return { values: decades, format: '~e', grid: true };
}

/** Lines (and points) against a quantitative x, one colour per series with a legend. */
export function lineChart(o: LineChartOptions): TopLevelSpec {
  const usable = ([x, y]: Point) =>
    Number.isFinite(x) && Number.isFinite(y) && (!o.x.log || x > 0) && (!o.y.log || y > 0);
  const data = o.series.map((s) => ({ ...s, points: s.points.filter(usable) }));
  const xs = data.flatMap((s) => s.points.map(([x]) => x));
  const ys = data.flatMap((s) => s.points.map(([, y]) => y));
  // Reference lines are drawn as dashed series across the data, so their labels sit in the legend
  // rather than on top of the curves.
  const [left, right] = o.x.domain ?? [Math.min(...xs), Math.max(...xs)];
  const all: Series[] = [
    ...data,
    ...(o.rules ?? []).map((rule) => ({
      name: rule.label,
      points: [
        [left, rule.y],
        [right, rule.y],
      ] as const,
      style: 'dashed' as const,
      color: '#555',
    })),
  ];
  const rows = all.flatMap((s) =>
    s.points.map(([x, y], i) => ({ series: s.name, style: s.style ?? 'line', x, y, i })),
  );
  const encoding = {
    x: {
      field: 'x',
      type: 'quantitative',
      title: o.x.title,
      scale: scale(o.x),
      axis: axisOf(o.x, xs),
    },
    y: {
      field: 'y',
      type: 'quantitative',
      title: o.y.title,
      scale: scale(o.y),
      axis: axisOf(o.y, ys),
    },
    color: {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: {
        domain: all.map((s) => s.name),
        range: all.map((s, i) => s.color ?? palette[i % palette.length]),
      },
      legend: all.length > 1 ? { orient: 'bottom', direction: 'vertical', columns: 2 } : null,
    },
    order: { field: 'i', type: 'quantitative' },
  };
  const only = (styles: string[]) => [{ filter: { field: 'style', oneOf: styles } }];
  return asSpec({
    title: title(o.title, o.subtitle),
    width: o.width ?? 360,
    height: o.height ?? 240,
    data: { values: rows },
    layer: [
      {
        transform: only(['line', 'line+points']),
        mark: { type: 'line', clip: true, strokeWidth: 2 },
        encoding,
      },
      {
        transform: only(['dashed']),
        mark: { type: 'line', clip: true, strokeWidth: 1.5, strokeDash: [5, 4] },
        encoding,
      },
      {
        transform: only(['points', 'line+points']),
        mark: { type: 'point', clip: true, filled: true, size: 48, opacity: 1 },
        encoding,
      },
    ],
    config,
  });
}

/** Horizontal bars, one per category, with the value written at the end of each. */
export function barChart(o: {
  title: string;
  subtitle?: string | string[];
  valueTitle: string;
  bars: readonly { name: string; value: number }[];
}): TopLevelSpec {
  const encoding = {
    y: { field: 'name', type: 'nominal', title: null, sort: null },
    x: { field: 'value', type: 'quantitative', title: o.valueTitle, axis: { tickCount: 5 } },
  };
  return asSpec({
    title: title(o.title, o.subtitle),
    width: 360,
    data: { values: o.bars.map((b) => ({ ...b })) },
    layer: [
      { mark: { type: 'bar', color: palette[0] }, encoding },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { ...encoding, text: { field: 'value', type: 'quantitative', format: '.3~g' } },
      },
    ],
    config,
  });
}

/** A 1-D trace on its function's curve, as the chapter's `show_trace`. */
export function traceOnCurve(
  fn: Function1D,
  path: readonly number[],
  o: { title: string; subtitle?: string | string[]; domain?: readonly [number, number] },
): TopLevelSpec {
  const extent = Math.max(...path.map(Math.abs));
  const [low, high] = o.domain ?? [-extent, extent];
  return lineChart({
    title: o.title,
    subtitle: o.subtitle,
    x: { title: 'x', domain: o.domain },
    y: { title: 'f(x)' },
    series: [
      { name: fn.formula, points: sampleCurve(fn.f, low, high) },
      { name: 'iterates', points: path.map((x) => [x, fn.f(x)] as const), style: 'line+points' },
    ],
  });
}

/** f sampled at 400 points of [low, high]. */
export function sampleCurve(
  f: (x: number) => number,
  low: number,
  high: number,
  count = 400,
): Point[] {
  return Array.from({ length: count + 1 }, (_, i) => {
    const x = low + ((high - low) * i) / count;
    return [x, f(x)] as const;
  });
}

export interface ContourOptions {
  title: string;
  subtitle?: string | string[];
  x1: readonly [number, number];
  x2: readonly [number, number];
  levels?: readonly number[];
}

/** Contour lines of f with 2-D paths drawn over them, as the chapter's `show_trace_2d`. */
export function traceOnContour(
  fn: Function2D,
  paths: readonly { name: string; points: readonly Point[] }[],
  o: ContourOptions,
): TopLevelSpec {
  const grid = sampleGrid(fn.f, o.x1, o.x2);
  const lines: ContourLine[] = contours(grid, o.levels ?? niceLevels(grid));
  const contourRows = lines.flatMap((line, id) =>
    line.points.map(([x, y], i) => ({ id, level: line.level, x, y, i })),
  );
  const traceRows = paths.flatMap((p) =>
    p.points.map(([x, y], i) => ({ series: p.name, x, y, i })),
  );
  const position = {
    x: {
      field: 'x',
      type: 'quantitative',
      title: 'x₁',
      scale: { domain: [...o.x1], nice: false, zero: false },
    },
    y: {
      field: 'y',
      type: 'quantitative',
      title: 'x₂',
      scale: { domain: [...o.x2], nice: false, zero: false },
    },
    order: { field: 'i', type: 'quantitative' },
  };
  const names = paths.map((p) => p.name);
  const pathColor = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: names, range: ['#ff7f0e', '#d62728', '#2ca02c', '#9467bd'] },
    legend: names.length > 1 ? { orient: 'bottom' } : null,
  };
  return asSpec({
    title: title(o.title, o.subtitle),
    width: 360,
    height: 240,
    layer: [
      {
        data: { values: contourRows },
        mark: { type: 'line', clip: true, strokeWidth: 1 },
        encoding: {
          ...position,
          detail: { field: 'id', type: 'nominal' },
          color: {
            field: 'level',
            type: 'quantitative',
            title: 'f',
            scale: { scheme: 'viridis' },
            legend: { gradientLength: 160 },
          },
        },
      },
      {
        data: { values: traceRows },
        layer: [
          {
            mark: { type: 'line', clip: true, strokeWidth: 1.5 },
            encoding: { ...position, color: pathColor },
          },
          {
            mark: { type: 'point', clip: true, filled: true, size: 30 },
            encoding: { ...position, color: pathColor },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config,
  });
}

/** Renders a Vega-Lite specification to a standalone SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  installTextWidth();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG (2× for sharpness) with the system's fonts. */
export function svgToPng(svg: string, zoom = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}
