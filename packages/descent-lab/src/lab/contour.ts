/** Contour lines of f over a rectangle, by marching squares, joined into polylines for plotting. */

export interface ContourLine {
  level: number;
  points: [number, number][];
}

export interface Grid {
  x: number[];
  y: number[];
  /** values[j * x.length + i] = f(x[i], y[j]). */
  values: Float64Array;
}

export function sampleGrid(
  f: (x1: number, x2: number) => number,
  [x0, x1]: readonly [number, number],
  [y0, y1]: readonly [number, number],
  cells = 80,
): Grid {
  const x = Array.from({ length: cells + 1 }, (_, i) => x0 + ((x1 - x0) * i) / cells);
  const y = Array.from({ length: cells + 1 }, (_, j) => y0 + ((y1 - y0) * j) / cells);
  const values = new Float64Array(x.length * y.length);
  for (let j = 0; j < y.length; j++)
    for (let i = 0; i < x.length; i++) values[j * x.length + i] = f(x[i], y[j]);
  return { x, y, values };
}

/** About `count` round levels spanning the grid's values. */
export function niceLevels(grid: Grid, count = 10): number[] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const v of grid.values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const levels: number[] = [];
  for (let v = Math.ceil(low / step) * step; v < high; v += step) {
    // Rounds away the drift of repeated addition, so labels read 0.3 rather than 0.30000000000000004.
    levels.push(Number(v.toPrecision(12)));
  }
  return levels;
}

/** Edges of a cell, in order around it: bottom, right, top, left. */
const edgeCorners = [
  [0, 1],
  [1, 2],
  [3, 2],
  [0, 3],
] as const;

export function contours(grid: Grid, levels: readonly number[]): ContourLine[] {
  const { x, y, values } = grid;
  const nx = x.length;
  const lines: ContourLine[] = [];
  for (const level of levels) {
    // Each crossing point is keyed by the grid edge it lies on, which the two cells beside that
    // edge share: segments meeting at a key continue one another.
    const points = new Map<number, [number, number]>();
    const neighbours = new Map<number, number[]>();
    const link = (a: number, b: number): void => {
      for (const [from, to] of [
        [a, b],
        [b, a],
      ]) {
        const list = neighbours.get(from);
        if (list === undefined) neighbours.set(from, [to]);
        else list.push(to);
      }
    };
    for (let j = 0; j + 1 < y.length; j++) {
      for (let i = 0; i + 1 < nx; i++) {
        const corners: [number, number, number][] = [
          [x[i], y[j], values[j * nx + i]],
          [x[i + 1], y[j], values[j * nx + i + 1]],
          [x[i + 1], y[j + 1], values[(j + 1) * nx + i + 1]],
          [x[i], y[j + 1], values[(j + 1) * nx + i]],
        ];
        const edgeKeys = [
          2 * (j * nx + i),
          2 * (j * nx + i + 1) + 1,
          2 * ((j + 1) * nx + i),
          2 * (j * nx + i) + 1,
        ];
        const crossed: number[] = [];
        edgeCorners.forEach(([a, b], e) => {
          const [xa, ya, va] = corners[a];
          const [xb, yb, vb] = corners[b];
          if (va > level !== vb > level) {
            const t = (level - va) / (vb - va);
            points.set(edgeKeys[e], [xa + t * (xb - xa), ya + t * (yb - ya)]);
            crossed.push(e);
          }
        });
        if (crossed.length === 2) link(edgeKeys[crossed[0]], edgeKeys[crossed[1]]);
        else if (crossed.length === 4) {
          // A saddle cell: the centre decides which pair of opposite corners the level separates.
          const centre = corners.reduce((sum, c) => sum + c[2], 0) / 4;
          const bottomRightCutOff = corners[1][2] > level !== centre > level;
          const [p, q, r, s] = bottomRightCutOff ? [0, 1, 2, 3] : [3, 0, 1, 2];
          link(edgeKeys[p], edgeKeys[q]);
          link(edgeKeys[r], edgeKeys[s]);
        }
      }
    }
    const visited = new Set<number>();
    const walk = (from: number): number[] => {
      const chain = [from];
      visited.add(from);
      for (;;) {
        const next = neighbours.get(chain[chain.length - 1])!.find((k) => !visited.has(k));
        if (next === undefined) return chain;
        visited.add(next);
        chain.push(next);
      }
    };
    // Open lines first, from an end; what is left are closed loops.
    const starts = [...neighbours.keys()].sort(
      (a, b) => neighbours.get(a)!.length - neighbours.get(b)!.length,
    );
    for (const start of starts) {
      if (visited.has(start)) continue;
      const chain = walk(start);
      const closed = neighbours.get(chain[chain.length - 1])!.includes(start) && chain.length > 2;
      if (closed) chain.push(start);
      lines.push({ level, points: chain.map((k) => points.get(k)!) });
    }
  }
  return lines;
}
