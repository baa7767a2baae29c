/** Canvas 2D drawing: axes, ticks and lines, for the main plot and the loss and rate panels. */
import type { Theme } from './contours.js';

/** A plot's frame in CSS pixels, and its data ranges. */
export interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
  x: [number, number];
  y: [number, number];
  /** A log scale on y (the range is then in log10 units). */
  logY?: boolean;
}

/** Sizes a canvas for the device's pixel ratio; returns its context in CSS pixels. */
export function sizeCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D {
  const ratio = globalThis.devicePixelRatio || 1;
  const w = Math.round(width * ratio);
  const h = Math.round(height * ratio);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

export const toPixelX = (frame: Frame, x: number): number =>
  frame.left + ((x - frame.x[0]) / (frame.x[1] - frame.x[0])) * frame.width;

export const toPixelY = (frame: Frame, y: number): number => {
  const v = frame.logY ? Math.log10(y) : y;
  return frame.top + ((frame.y[1] - v) / (frame.y[1] - frame.y[0])) * frame.height;
};

/** About `count` round numbers in [low, high]. */
export function ticks(low: number, high: number, count = 5): number[] {
  const raw = (high - low) / count;
  if (!(raw > 0) || !Number.isFinite(raw)) return [low];
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** A number short enough for a tick label. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

/** Axes, ticks and titles around a frame. */
export function drawAxes(
  ctx: CanvasRenderingContext2D,
  frame: Frame,
  theme: Theme,
  titles: { x: string; y: string },
): void {
  ctx.save();
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.text;
  ctx.lineWidth = 1;
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeRect(frame.left, frame.top, frame.width, frame.height);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of ticks(frame.x[0], frame.x[1], Math.max(2, Math.floor(frame.width / 70)))) {
    const px = toPixelX(frame, t);
    ctx.beginPath();
    ctx.moveTo(px, frame.top + frame.height);
    ctx.lineTo(px, frame.top + frame.height + 4);
    ctx.stroke();
    ctx.fillText(tickLabel(t), px, frame.top + frame.height + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const yTicks = frame.logY
    ? ticks(Math.ceil(frame.y[0]), Math.floor(frame.y[1]), 5).filter(Number.isInteger)
    : ticks(frame.y[0], frame.y[1], Math.max(2, Math.floor(frame.height / 40)));
  for (const t of yTicks) {
    const py = frame.logY ? toPixelY(frame, 10 ** t) : toPixelY(frame, t);
    ctx.beginPath();
    ctx.moveTo(frame.left - 4, py);
    ctx.lineTo(frame.left, py);
    ctx.stroke();
    ctx.fillText(frame.logY ? `1e${t}` : tickLabel(t), frame.left - 6, py);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(titles.x, frame.left + frame.width / 2, frame.top + frame.height + 34);
  ctx.translate(12, frame.top + frame.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'top';
  ctx.fillText(titles.y, 0, -10);
  ctx.restore();
}

/** A series against the step: y[i] at x = first + i. */
export interface Series {
  color: string;
  y: ArrayLike<number>;
  first: number;
}

/** Lines of several series against the step, on a linear or log scale (non-positive values dropped). */
export function drawSeries(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  series: readonly Series[],
  theme: Theme,
  o: { log: boolean; x: string; y: string; marker?: number },
): void {
  const ctx = sizeCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let last = 1;
  for (const s of series) {
    last = Math.max(last, s.first + s.y.length - 1);
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i];
      if (!Number.isFinite(v) || (o.log && !(v > 0))) continue;
      const w = o.log ? Math.log10(v) : v;
      lo = Math.min(lo, w);
      hi = Math.max(hi, w);
    }
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  const frame: Frame = {
    left: 52,
    top: 8,
    width: width - 72,
    height: height - 48,
    x: [0, last],
    y: [lo - pad, hi + pad],
    logY: o.log,
  };
  drawAxes(ctx, frame, theme, { x: o.x, y: o.y });
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top, frame.width, frame.height);
  ctx.clip();
  if (o.marker !== undefined && o.marker > 0) {
    ctx.strokeStyle = theme.grid;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(toPixelX(frame, o.marker), frame.top);
    ctx.lineTo(toPixelX(frame, o.marker), frame.top + frame.height);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.lineWidth = 1.5;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i];
      if (!Number.isFinite(v) || (o.log && !(v > 0))) {
        pen = false;
        continue;
      }
      const px = toPixelX(frame, s.first + i);
      const py = toPixelY(frame, v);
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
  }
  ctx.restore();
}
