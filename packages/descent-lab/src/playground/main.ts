/**
 * The playground page: pick a function, run descent's optimizers side by side from a start
 * clicked on the plot, and watch the paths, the loss and the rate change as a control moves.
 * Everything a reader sets lives in the address (state.ts), so back and forward, bookmarks and
 * reloads give the same picture.
 */
import {
  type OptionValue,
  optimizerSpec,
  optimizerSpecs,
  scheduleSpec,
  scheduleSpecs,
  simdInfo,
} from 'descent';
import { presetBook } from './book-values.js';
import { codeSnippets } from './code-export.js';
import { contourImage, type Theme } from './contours.js';
import { type Control, optionControl } from './controls.js';
import { functionById, functions, type PlaygroundFunction } from './functions.js';
import { drawAxes, drawSeries, type Frame, sizeCanvas, toPixelX, toPixelY } from './plot.js';
import { presetIds, presetState, presetTitle } from './presets.js';
import { digits, finalPoint, readoutRows } from './readout.js';
import { type RunResult, type RunSettings, run, stateAt } from './runs.js';
import { canonical, fromHash, maxRuns, maxSteps, type PlaygroundState, toHash } from './state.js';

const colors = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

/** The optimizers a reader can pick: every one of descent's. */
const optimizers = optimizerSpecs.map((s) => s.name);

const initial: PlaygroundState = {
  fn: 'quad-0.1-2',
  start: [-5, -2],
  steps: 20,
  runs: [
    { optimizer: 'SGD', options: { lr: 0.4 } },
    { optimizer: 'SGD', options: { lr: 0.6, momentum: 0.5 } },
    { optimizer: 'Adagrad', options: { lr: 2, eps: 1e-6 } },
    { optimizer: 'RMSprop', options: { lr: 0.4, alpha: 0.9, eps: 1e-6 } },
    { optimizer: 'Adam', options: { lr: 0.5 } },
  ],
  view: [
    [-5.5, 1],
    [-3, 1],
  ],
  tol: 1e-3,
  logLoss: true,
  at: 0,
};

let state: PlaygroundState = initial;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function theme(): Theme {
  const css = getComputedStyle(document.body);
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  return {
    background: css.getPropertyValue('--bg').trim(),
    text: css.getPropertyValue('--fg').trim(),
    grid: css.getPropertyValue('--grid').trim(),
    low: dark ? [24, 38, 60] : [250, 250, 245],
    high: dark ? [90, 130, 150] : [120, 170, 200],
    line: dark ? 'rgba(255,255,255,0.25)' : 'rgba(0,0,0,0.22)',
  };
}

// Runs are cached by everything that decides them, so a control of one run reruns only that one.
const results = new Map<string, RunResult>();
function runKey(s: PlaygroundState, r: RunSettings): string {
  return JSON.stringify([s.fn, s.start, s.steps, r]);
}
function resultOf(s: PlaygroundState, r: RunSettings): RunResult {
  const key = runKey(s, r);
  let result = results.get(key);
  if (result === undefined) {
    result = run(r, functionById(s.fn), s.start, s.steps);
    if (results.size > 64) results.clear();
    results.set(key, result);
  }
  return result;
}

/**
 * Makes `next` the state if descent accepts every run of it; otherwise returns descent's message
 * and keeps the last valid state (and its picture).
 */
function propose(next: PlaygroundState, how: 'push' | 'replace' | 'none'): string | undefined {
  try {
    for (const r of next.runs) resultOf(next, r);
  } catch (error) {
    return (error as Error).message;
  }
  // A preset changed is a preset no more: its readout shows the book's value only while it is one.
  if (next.preset !== undefined && canonical(presetState(next.preset)) !== canonical(next))
    delete next.preset;
  state = next;
  const hash = toHash(state, presetState);
  if (how === 'push' && location.hash !== hash) history.pushState(null, '', hash);
  else if (how !== 'none') history.replaceState(null, '', hash);
  render();
  return undefined;
}

const clone = (s: PlaygroundState): PlaygroundState => structuredClone(s);

// ---- the panels -------------------------------------------------------------------------------

let controls: { run: number; option: string; control: Control }[] = [];

function field(
  label: string,
  id: string,
  value: string,
  onChange: (text: string) => string | undefined,
): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'control';
  const l = document.createElement('label');
  l.htmlFor = id;
  l.textContent = label;
  const input = document.createElement('input');
  input.type = 'text';
  input.inputMode = 'decimal';
  input.id = id;
  input.size = 8;
  input.value = value;
  const error = document.createElement('span');
  error.className = 'error';
  error.setAttribute('role', 'alert');
  input.addEventListener('change', () => {
    const message = onChange(input.value);
    error.textContent = message ?? '';
    wrap.classList.toggle('invalid', message !== undefined);
  });
  wrap.append(l, input, error);
  return wrap;
}

function select(
  id: string,
  label: string,
  items: [string, string][],
  value: string,
  onChange: (v: string) => void,
) {
  const wrap = document.createElement('div');
  wrap.className = 'control problem-select';
  const l = document.createElement('label');
  l.htmlFor = id;
  l.textContent = label;
  const s = document.createElement('select');
  s.id = id;
  for (const [v, text] of items) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text;
    o.selected = v === value;
    s.append(o);
  }
  s.addEventListener('change', () => onChange(s.value));
  wrap.append(l, s);
  return wrap;
}

/** A required schedule option without a default gets a value that fits the run. */
function scheduleDefault(name: string, lr: number, steps: number): OptionValue {
  if (/^(initValue|peakValue|value|baseLr|lr)$/.test(name)) return lr;
  if (/^(steps|totalSteps|maxUpdate)$/.test(name)) return steps;
  if (name === 'decaySteps') return Math.max(1, Math.round(steps / 5));
  if (name === 'warmupSteps') return Math.max(0, Math.round(steps / 10));
  if (name === 'periodSteps') return Math.max(1, Math.round(steps / 4));
  if (name === 'values') return [lr, lr / 10];
  if (name === 'boundaries' || name === 'step') return [Math.max(1, Math.round(steps / 2))];
  return 0.5;
}

function defaultsOf(name: string, lr: number, steps: number): Record<string, OptionValue> {
  const options: Record<string, OptionValue> = {};
  for (const o of scheduleSpec(name).options)
    if (o.default === undefined && o.type !== 'function')
      options[o.name] = scheduleDefault(o.name, lr, steps);
  return options;
}

function runLr(r: RunSettings): number {
  const lr =
    r.options.lr ?? optimizerSpec(r.optimizer).options.find((o) => o.name === 'lr')?.default;
  return typeof lr === 'number' ? lr : 0.1;
}

function runPanel(r: RunSettings, i: number): HTMLElement {
  const card = document.createElement('fieldset');
  card.className = 'run';
  card.dataset.run = String(i);
  const legend = document.createElement('legend');
  legend.innerHTML = `<span class="swatch" style="background:${colors[i % colors.length]}"></span>Run ${i + 1}`;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = '×';
  remove.className = 'remove';
  remove.setAttribute('aria-label', `remove run ${i + 1}`);
  remove.addEventListener('click', () => {
    const next = clone(state);
    next.runs.splice(i, 1);
    propose(next, 'push');
    buildRuns();
  });
  legend.append(remove);
  card.append(legend);
  card.append(
    select(
      `run${i}-optimizer`,
      'optimizer',
      optimizers.map((n) => [n, n]),
      r.optimizer,
      (name) => {
        const next = clone(state);
        const spec = optimizerSpec(name);
        const lr = next.runs[i].options.lr;
        next.runs[i] = {
          ...next.runs[i],
          optimizer: name,
          options: spec.options.some((o) => o.name === 'lr') && lr !== undefined ? { lr } : {},
        };
        const message = propose(next, 'push');
        if (message === undefined) buildRuns();
      },
    ),
  );
  const spec = optimizerSpec(r.optimizer);
  for (const o of spec.options) {
    if (o.type === 'function') continue;
    const control = optionControl(o, r.options[o.name], `run${i}-${o.name}`, (value, commit) => {
      const next = clone(state);
      next.runs[i].options[o.name] = value;
      const message = propose(next, commit ? 'push' : 'replace');
      control.setError(message);
    });
    controls.push({ run: i, option: o.name, control });
    card.append(control.element);
  }
  // The schedule, with its own controls.
  const schedules: [string, string][] = [
    ['', 'none (constant rate)'],
    // Every schedule that stands alone: warmup wraps another, which no menu here gives it.
    ...scheduleSpecs
      .filter((s) => s.takesSchedule !== true)
      .map((s): [string, string] => [s.name, s.name]),
  ];
  card.append(
    select(`run${i}-schedule`, 'schedule', schedules, r.schedule?.name ?? '', (name) => {
      const next = clone(state);
      if (name === '') delete next.runs[i].schedule;
      else next.runs[i].schedule = { name, options: defaultsOf(name, runLr(r), state.steps) };
      const message = propose(next, 'push');
      if (message === undefined) buildRuns();
    }),
  );
  if (r.schedule !== undefined) {
    const box = document.createElement('div');
    box.className = 'schedule';
    for (const o of scheduleSpec(r.schedule.name).options) {
      if (o.type === 'function') continue;
      const control = optionControl(
        o,
        r.schedule.options[o.name],
        `run${i}-schedule-${o.name}`,
        (value, commit) => {
          const next = clone(state);
          next.runs[i].schedule!.options[o.name] = value;
          control.setError(propose(next, commit ? 'push' : 'replace'));
        },
      );
      controls.push({ run: i, option: `schedule.${o.name}`, control });
      box.append(control.element);
    }
    card.append(box);
  }
  // Gradient noise, the chapter's stochastic gradient descent.
  const noise = document.createElement('div');
  noise.className = 'noise';
  const sd = field('noise σ', `run${i}-noise`, String(r.noise?.sd ?? 0), (text) => {
    const v = Number(text);
    if (!(v >= 0) || !Number.isFinite(v))
      return `Invalid noise σ: ${text} (expected a number >= 0)`;
    const next = clone(state);
    if (v === 0) delete next.runs[i].noise;
    else next.runs[i].noise = { sd: v, seed: r.noise?.seed ?? 0, stream: r.noise?.stream ?? '' };
    return propose(next, 'push');
  });
  const seed = field('seed', `run${i}-seed`, String(r.noise?.seed ?? 0), (text) => {
    const v = Number(text);
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      return `Invalid seed: ${text} (expected an integer in [0, 4294967295])`;
    const next = clone(state);
    if (next.runs[i].noise === undefined) return 'set noise σ first';
    next.runs[i].noise!.seed = v;
    return propose(next, 'push');
  });
  noise.append(sd, seed);
  card.append(noise);
  const exportButton = document.createElement('button');
  exportButton.type = 'button';
  exportButton.textContent = 'code';
  exportButton.setAttribute('aria-label', `code of run ${i + 1}`);
  exportButton.addEventListener('click', () => showCode(i));
  card.append(exportButton);
  return card;
}

function buildRuns(): void {
  controls = [];
  const box = $('runs');
  box.replaceChildren(...state.runs.map(runPanel));
  const add = $<HTMLButtonElement>('add-run');
  add.disabled = state.runs.length >= maxRuns;
}

function buildProblem(): void {
  const fn = functionById(state.fn);
  const box = $('problem');
  const items: [string, string][] = functions.map((f) => [f.id, `${f.dim}-D: ${f.label}`]);
  const presets: [string, string][] = [
    ['', '—'],
    ...presetIds.map((id): [string, string] => [id, `${id}: ${presetTitle(id)}`]),
  ];
  box.replaceChildren(
    select('fn', 'function', items, state.fn, (id) => {
      const f = functionById(id);
      const next = clone(state);
      next.fn = id;
      next.start = [...f.start];
      delete next.view;
      delete next.preset;
      next.at = 0;
      propose(next, 'push');
      buildProblem();
    }),
    select('preset', 'preset', presets, state.preset ?? '', (id) => {
      if (id === '') return;
      propose(presetState(id), 'push');
      buildAll();
    }),
    ...fn.start.map((_, k) =>
      field(
        fn.dim === 1 ? 'start x' : `start x${'₁₂'[k]}`,
        `start${k}`,
        String(state.start[k]),
        (text) => {
          const v = Number(text);
          if (!Number.isFinite(v)) return `Invalid start: ${text} (expected a number)`;
          const next = clone(state);
          next.start[k] = v;
          return propose(next, 'push');
        },
      ),
    ),
    field('steps', 'steps', String(state.steps), (text) => {
      const v = Number(text);
      if (!Number.isInteger(v) || v < 1 || v > maxSteps)
        return `Invalid steps: ${text} (expected an integer in [1, ${maxSteps}])`;
      const next = clone(state);
      next.steps = v;
      next.at = Math.min(next.at, v);
      return propose(next, 'push');
    }),
    field('tolerance', 'tol', String(state.tol), (text) => {
      const v = Number(text);
      if (!(v > 0) || !Number.isFinite(v))
        return `Invalid tolerance: ${text} (expected a number > 0)`;
      const next = clone(state);
      next.tol = v;
      return propose(next, 'push');
    }),
  );
  $('formula').textContent = fn.formula;
  const log = $<HTMLInputElement>('log-loss');
  log.checked = state.logLoss;
  const at = $<HTMLInputElement>('at');
  at.max = String(state.steps);
  at.value = String(state.at);
}

function buildAll(): void {
  buildProblem();
  buildRuns();
  render();
}

// ---- drawing ----------------------------------------------------------------------------------

interface Drawn {
  frame: Frame;
  fn: PlaygroundFunction;
}
let drawn: Drawn | undefined;

function viewOf(s: PlaygroundState, fn: PlaygroundFunction, runs: RunResult[]): [number, number][] {
  if (fn.dim === 2) return s.view ?? fn.view;
  // 1-D: the function's window, widened to take in every path.
  let [lo, hi] = s.view?.[0] ?? fn.view[0];
  for (const r of runs)
    for (const x of r.path)
      if (Number.isFinite(x) && Math.abs(x) < 1e6) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
  const pad = (hi - lo) * 0.03;
  return [[lo - pad, hi + pad]];
}

/** The least width a plot is drawn at (its margins take 62 px). */
const minPlotWidth = 120;

function drawMain(runs: RunResult[], t: Theme): void {
  const fn = functionById(state.fn);
  const canvas = $<HTMLCanvasElement>('plot');
  // At least the margins and a little: before the page is laid out its panels are 0 wide, and a
  // redraw follows when they get their width.
  const width = Math.max(canvas.parentElement!.clientWidth, minPlotWidth);
  const height = Math.round(Math.min(560, Math.max(260, width * 0.7)));
  const ctx = sizeCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  const view = viewOf(state, fn, runs);
  const box = { left: 52, top: 8, width: width - 62, height: height - 48 };
  let frame: Frame;
  if (fn.dim === 2) {
    frame = { ...box, x: view[0], y: view[1] };
    const ratio = globalThis.devicePixelRatio || 1;
    const image = contourImage(
      fn,
      view,
      Math.round(box.width * ratio),
      Math.round(box.height * ratio),
      t,
    );
    ctx.drawImage(image, box.left, box.top, box.width, box.height);
  } else {
    const [lo, hi] = view[0];
    const xs = Array.from({ length: 401 }, (_, i) => lo + ((hi - lo) * i) / 400);
    const ys = xs.map((x) => fn.f([x]));
    const finite = ys.filter((y) => Number.isFinite(y) && Math.abs(y) < 1e12);
    let ylo = Math.min(...finite);
    let yhi = Math.max(...finite);
    if (yhi - ylo < 1e-9) [ylo, yhi] = [ylo - 1, yhi + 1];
    const pad = (yhi - ylo) * 0.05;
    frame = { ...box, x: [lo, hi], y: [ylo - pad, yhi + pad] };
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.width, box.height);
    ctx.clip();
    ctx.strokeStyle = t.text;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    xs.forEach((x, i) => {
      if (i === 0) ctx.moveTo(toPixelX(frame, x), toPixelY(frame, ys[i]));
      else ctx.lineTo(toPixelX(frame, x), toPixelY(frame, ys[i]));
    });
    ctx.stroke();
    ctx.restore();
  }
  drawAxes(ctx, frame, t, fn.dim === 2 ? { x: 'x₁', y: 'x₂' } : { x: 'x', y: 'f(x)' });
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.width, box.height);
  ctx.clip();
  const point = (x: ArrayLike<number>, k: number): [number, number] =>
    fn.dim === 2
      ? [toPixelX(frame, x[2 * k]), toPixelY(frame, x[2 * k + 1])]
      : [toPixelX(frame, x[k]), toPixelY(frame, fn.f([x[k]]))];
  // Minima: a star each.
  ctx.fillStyle = t.text;
  ctx.font = '16px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const m of fn.minima) {
    const [px, py] = point(m, 0);
    ctx.fillText('★', px, py);
  }
  runs.forEach((r, i) => {
    const color = colors[i % colors.length];
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let k = 0; k <= r.steps; k++) {
      const [px, py] = point(r.path, k);
      if (k === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
    const radius = r.steps > 400 ? 1.2 : 2.5;
    ctx.beginPath();
    for (let k = 0; k <= r.steps; k++) {
      const [px, py] = point(r.path, k);
      ctx.moveTo(px + radius, py);
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
    }
    ctx.fill();
    // The end: a ring.
    const [ex, ey] = point(r.path, r.steps);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(ex, ey, 6, 0, 2 * Math.PI);
    ctx.stroke();
  });
  // The start: a square.
  const [sx, sy] = point(state.start, 0);
  ctx.fillStyle = t.text;
  ctx.fillRect(sx - 4, sy - 4, 8, 8);
  drawArrows(ctx, frame, fn);
  ctx.restore();
  drawn = { frame, fn };
}

/** At the scrubbed step: the step taken, −η∇f and −η·(momentum buffer), as arrows from x_{t−1}. */
function drawArrows(ctx: CanvasRenderingContext2D, frame: Frame, fn: PlaygroundFunction): void {
  const at = state.at;
  const text = $('state');
  if (at === 0) {
    text.textContent =
      'Move the step slider to see each run’s gradient, velocity and effective step sizes at that step.';
    return;
  }
  const lines: string[] = [];
  state.runs.forEach((r, i) => {
    const s = stateAt(r, fn, state.start, at);
    if (s === undefined) return;
    const color = colors[i % colors.length];
    const from = s.point;
    const arrow = (delta: number[], dashed: boolean) => {
      const to = from.map((x, k) => x + delta[k]);
      const p = (x: number[]) =>
        fn.dim === 2
          ? [toPixelX(frame, x[0]), toPixelY(frame, x[1])]
          : [toPixelX(frame, x[0]), toPixelY(frame, fn.f([from[0]]))];
      const [ax, ay] = p(from);
      const [bx, by] = p(to);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(dashed ? [5, 4] : []);
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
      ctx.setLineDash([]);
      const angle = Math.atan2(by - ay, bx - ax);
      ctx.beginPath();
      ctx.moveTo(bx, by);
      ctx.lineTo(bx - 8 * Math.cos(angle - 0.4), by - 8 * Math.sin(angle - 0.4));
      ctx.lineTo(bx - 8 * Math.cos(angle + 0.4), by - 8 * Math.sin(angle + 0.4));
      ctx.fill();
    };
    arrow(
      s.gradient.map((g) => -s.lr * g),
      true,
    );
    const velocity = s.arrays.momentumBuffer ?? s.arrays.expAvg;
    if (velocity !== undefined)
      arrow(
        velocity.map((v) => -s.lr * v),
        false,
      );
    const parts = [
      `run ${i + 1} at step ${at}: x = (${s.point.map(digits).join(', ')})`,
      `∇f = (${s.gradient.map(digits).join(', ')})`,
      `η = ${digits(s.lr)}`,
    ];
    for (const [k, v] of Object.entries(s.arrays))
      parts.push(`${k} = (${v.map(digits).join(', ')})`);
    if (s.effectiveStep !== undefined)
      parts.push(`effective step η/(√v + ε) = (${s.effectiveStep.map(digits).join(', ')})`);
    lines.push(parts.join('; '));
  });
  text.textContent = `${lines.join('\n')}\nDashed: −η∇f; solid: −η times the velocity (momentum buffer or first moment).`;
}

function render(): void {
  const began = performance.now();
  const t = theme();
  const fn = functionById(state.fn);
  const runs = state.runs.map((r) => resultOf(state, r));
  drawMain(runs, t);
  const panel = Math.max($('loss').parentElement!.clientWidth, minPlotWidth);
  const height = 180;
  const shift = fn.fmin ?? 0;
  drawSeries(
    $<HTMLCanvasElement>('loss'),
    panel,
    height,
    runs.map((r, i) => ({
      color: colors[i % colors.length],
      y: fn.fmin === undefined ? r.values : r.values.map((v) => v - shift),
      first: 0,
    })),
    t,
    {
      log: state.logLoss,
      x: 'step',
      y: fn.fmin === undefined ? 'f' : fn.fmin === 0 ? 'f' : `f − ${fn.fmin}`,
      marker: state.at,
    },
  );
  drawSeries(
    $<HTMLCanvasElement>('rate'),
    panel,
    height,
    runs.map((r, i) => ({ color: colors[i % colors.length], y: r.rates, first: 1 })),
    t,
    { log: false, x: 'step', y: 'learning rate', marker: state.at },
  );
  const body = $('readout-body');
  body.replaceChildren(
    ...readoutRows(
      state.runs.map((settings, i) => ({
        settings,
        result: runs[i],
        color: colors[i % colors.length],
      })),
      fn,
      state.tol,
    ),
  );
  const note = $('preset-note');
  if (state.preset !== undefined) {
    const book = presetBook(state.preset);
    const ours = finalPoint(runs[0], fn.dim);
    const parts = [
      `Preset ${state.preset}: the lab’s run (descent lab --only ${state.preset}); run 1 ends at (${ours.map(digits).join(', ')})`,
    ];
    if (book !== undefined) {
      const theirs = [book.final].flat();
      const difference = Math.max(...ours.map((x, k) => Math.abs(x - theirs[k])));
      parts.push(
        `the book prints “${book.printed}” (|descent − book| = ${difference.toExponential(1)})`,
      );
    } else if (state.runs[0].noise !== undefined)
      parts.push(`random: gradient noise from seed ${state.runs[0].noise.seed}, no book value`);
    note.textContent = `${parts.join('; ')}.`;
    note.dataset.preset = state.preset;
    note.hidden = false;
  } else {
    note.hidden = true;
    delete note.dataset.preset;
  }
  const at = $<HTMLInputElement>('at');
  at.max = String(state.steps);
  at.value = String(state.at);
  $('at-value').textContent = state.at === 0 ? 'off' : String(state.at);
  const info = simdInfo();
  $('kernels').textContent =
    `descent’s kernels here: ${info.available ? 'WebAssembly' : 'TypeScript'} (${globalThis.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated'})`;
  lastRender = performance.now() - began;
  document.body.dataset.renderMs = lastRender.toFixed(2);
  document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
}
let lastRender = 0;

function showCode(i: number): void {
  const dialog = $<HTMLDialogElement>('code');
  const { typescript, python } = codeSnippets(state, i);
  $('code-ts').textContent = typescript;
  $('code-py').textContent = python;
  dialog.showModal();
}

// ---- the plot's pointer: the start ------------------------------------------------------------

function startAt(event: PointerEvent): number[] | undefined {
  if (drawn === undefined) return undefined;
  const canvas = $<HTMLCanvasElement>('plot');
  const rect = canvas.getBoundingClientRect();
  const { frame, fn } = drawn;
  const px = event.clientX - rect.left;
  const py = event.clientY - rect.top;
  const x = frame.x[0] + ((px - frame.left) / frame.width) * (frame.x[1] - frame.x[0]);
  const y = frame.y[1] - ((py - frame.top) / frame.height) * (frame.y[1] - frame.y[0]);
  // Rounded to a thousandth of the window, so the address stays short.
  const round = (v: number, range: [number, number]) => {
    const unit = 10 ** Math.floor(Math.log10((range[1] - range[0]) / 1000));
    return Number((Math.round(v / unit) * unit).toPrecision(12));
  };
  return fn.dim === 2 ? [round(x, frame.x), round(y, frame.y)] : [round(x, frame.x)];
}

function moveStart(start: number[], how: 'push' | 'replace'): void {
  const next = clone(state);
  next.start = start;
  propose(next, how);
  state.start.forEach((v, k) => {
    const input = document.getElementById(`start${k}`) as HTMLInputElement | null;
    if (input !== null) input.value = String(v);
  });
}

function wire(): void {
  const canvas = $<HTMLCanvasElement>('plot');
  let dragging = false;
  canvas.addEventListener('pointerdown', (event) => {
    const start = startAt(event);
    if (start === undefined) return;
    dragging = true;
    canvas.setPointerCapture(event.pointerId);
    moveStart(start, 'push');
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!dragging) return;
    const start = startAt(event);
    if (start !== undefined) moveStart(start, 'replace');
  });
  canvas.addEventListener('pointerup', () => {
    dragging = false;
  });
  canvas.addEventListener('keydown', (event) => {
    const fn = functionById(state.fn);
    const view = viewOf(state, fn, []);
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      ArrowUp: [1, 1],
      ArrowDown: [1, -1],
    };
    const move = moves[event.key];
    if (move === undefined || move[0] >= fn.dim) return;
    event.preventDefault();
    const start = [...state.start];
    start[move[0]] = Number(
      (start[move[0]] + (move[1] * (view[move[0]][1] - view[move[0]][0])) / 50).toPrecision(6),
    );
    moveStart(start, 'push');
  });
  $('add-run').addEventListener('click', () => {
    const next = clone(state);
    const used = new Set(next.runs.map((r) => r.optimizer));
    const name =
      ['SGD', 'Adam', 'RMSprop', 'Adagrad', 'NAdam', 'Yogi', 'AdamW', 'RAdam'].find(
        (n) => !used.has(n),
      ) ?? 'Adam';
    next.runs.push({ optimizer: name, options: {} });
    if (propose(next, 'push') === undefined) buildRuns();
  });
  $('log-loss').addEventListener('change', (event) => {
    const next = clone(state);
    next.logLoss = (event.target as HTMLInputElement).checked;
    propose(next, 'push');
  });
  const at = $<HTMLInputElement>('at');
  at.addEventListener('input', () => {
    const next = clone(state);
    next.at = Number(at.value);
    propose(next, 'replace');
  });
  at.addEventListener('change', () => {
    const next = clone(state);
    next.at = Number(at.value);
    propose(next, 'push');
  });
  $('fit-view').addEventListener('click', () => {
    const fn = functionById(state.fn);
    const runs = state.runs.map((r) => resultOf(state, r));
    if (fn.dim === 1) return;
    const bounds: [number, number][] = [0, 1].map((k) => {
      let lo = state.start[k];
      let hi = state.start[k];
      for (const r of runs)
        for (let i = k; i < r.path.length; i += 2)
          if (Number.isFinite(r.path[i]) && Math.abs(r.path[i]) < 1e6) {
            lo = Math.min(lo, r.path[i]);
            hi = Math.max(hi, r.path[i]);
          }
      const pad = Math.max((hi - lo) * 0.08, 1e-3);
      return [Number((lo - pad).toPrecision(4)), Number((hi + pad).toPrecision(4))];
    });
    const next = clone(state);
    next.view = bounds;
    propose(next, 'push');
  });
  $('reset-view').addEventListener('click', () => {
    const next = clone(state);
    delete next.view;
    propose(next, 'push');
  });
  $('close-code').addEventListener('click', () => $<HTMLDialogElement>('code').close());
  addEventListener('popstate', () => load('none'));
  addEventListener('resize', () => render());
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => render());
}

/** Opens the state the address holds (or the initial one), showing why when it cannot. */
function load(how: 'replace' | 'none'): void {
  let next: PlaygroundState | undefined;
  const problem = $('address-error');
  problem.textContent = '';
  try {
    next = fromHash(location.hash, presetState);
  } catch (error) {
    problem.textContent = `${(error as Error).message}: showing the default instead.`;
  }
  const message = propose(clone(next ?? initial), how);
  if (message !== undefined) {
    problem.textContent = `${message}: showing the default instead.`;
    propose(clone(initial), 'replace');
  }
  buildProblem();
  buildRuns();
}

wire();
load('replace');
