/**
 * The 2-D background: f over the window, coloured by rank (so Rosenbrock's 0 to 2500 and a
 * quadratic's 0 to 30 both show their valleys) with contour lines at rank quantiles, drawn once per
 * function, window, size and theme into an offscreen canvas that each frame only copies.
 */
import { contours, sampleGrid } from '../lab/contour.js';
import type { PlaygroundFunction } from './functions.js';

export interface Theme {
  background: string;
  text: string;
  grid: string;
  /** The colour ramp's low and high ends, as [r, g, b]. */
  low: [number, number, number];
  high: [number, number, number];
  line: string;
}

const cache = new Map<string, HTMLCanvasElement>();

/** Contour levels: the values below which fractions (k/n)² of the window lie. */
function rankLevels(sorted: Float64Array, n: number): number[] {
  const levels: number[] = [];
  for (let k = 1; k < n; k++) {
    const v = sorted[Math.floor((k / n) ** 2 * (sorted.length - 1))];
    if (Number.isFinite(v) && (levels.length === 0 || v > levels[levels.length - 1]))
      levels.push(v);
  }
  return levels;
}

/** The background image of `fn` over `view` at `width` × `height` device pixels. */
export function contourImage(
  fn: PlaygroundFunction,
  view: [number, number][],
  width: number,
  height: number,
  theme: Theme,
): HTMLCanvasElement {
  const key = JSON.stringify([fn.id, view, width, height, theme]);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  if (cache.size > 16) cache.clear();
  const [[x0, x1], [y0, y1]] = view;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  // The fill: one value per 2 × 2 pixels, coloured by its rank among all of them.
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const values = new Float64Array(cw * ch);
  for (let j = 0; j < ch; j++) {
    const y = y1 - ((j + 0.5) / ch) * (y1 - y0);
    for (let i = 0; i < cw; i++) values[j * cw + i] = fn.f([x0 + ((i + 0.5) / cw) * (x1 - x0), y]);
  }
  const sorted = values.slice().sort();
  const image = ctx.createImageData(cw, ch);
  const rank = (v: number): number => {
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo / (sorted.length - 1);
  };
  for (let p = 0; p < values.length; p++) {
    const r = Math.sqrt(rank(values[p]));
    for (let c = 0; c < 3; c++)
      image.data[4 * p + c] = theme.low[c] + r * (theme.high[c] - theme.low[c]);
    image.data[4 * p + 3] = 255;
  }
  const small = document.createElement('canvas');
  small.width = cw;
  small.height = ch;
  small.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, width, height);
  // The lines, by the lab's marching squares.
  const grid = sampleGrid((a, b) => fn.f([a, b]), [x0, x1], [y0, y1], 120);
  const toX = (x: number) => ((x - x0) / (x1 - x0)) * width;
  const toY = (y: number) => ((y1 - y) / (y1 - y0)) * height;
  ctx.strokeStyle = theme.line;
  ctx.lineWidth = Math.max(1, width / 600);
  ctx.beginPath();
  for (const line of contours(grid, rankLevels(sorted, 16))) {
    line.points.forEach(([x, y], i) => {
      if (i === 0) ctx.moveTo(toX(x), toY(y));
      else ctx.lineTo(toX(x), toY(y));
    });
  }
  ctx.stroke();
  cache.set(key, canvas);
  return canvas;
}
