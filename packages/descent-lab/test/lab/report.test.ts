import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/lab/report.js';
import { type LabRun, runLab } from '../../src/lab/run.js';

const dir = mkdtempSync(join(tmpdir(), 'descent-lab-'));
let run: LabRun;
let files: string[];
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

beforeAll(async () => {
  run = await runLab({ quick: true });
  ({ files } = await writeReport(dir, run));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('results.json', () => {
  const results = () =>
    JSON.parse(read('results.json')) as { experiments: Record<string, Record<string, unknown>> };

  it('has every experiment that ran, under its id', () => {
    expect(Object.keys(results().experiments)).toEqual(run.runs.map((r) => r.id));
  });

  it('gives every trace its final point and whole path', () => {
    const traces = Object.entries(results().experiments).filter(([, e]) => e.kind === 'trace');
    expect(traces.length).toBe(18);
    for (const [id, e] of traces) {
      const path = e.path as (number | number[])[];
      expect(Array.isArray(path) && path.length > 1, id).toBe(true);
      expect(path[path.length - 1], id).toEqual(e.final);
      const dims = typeof e.final === 'number' ? 1 : (e.final as number[]).length;
      expect([1, 2], id).toContain(dims);
      for (const p of path) expect(typeof p === 'number' ? 1 : p.length, id).toBe(dims);
    }
  });

  it('gives every training run its final loss, curve and seconds per epoch', () => {
    const runs = Object.entries(results().experiments).filter(([, e]) => e.kind === 'training');
    expect(runs.length).toBe(12);
    for (const [id, e] of runs) {
      expect(typeof e.finalLoss, id).toBe('number');
      expect(e.secondsPerEpoch as number, id).toBeGreaterThan(0);
      const curve = e.curve as { epoch: number; loss: number; seconds: number }[];
      expect(curve.length, id).toBeGreaterThan(0);
      for (const point of curve)
        expect(Object.keys(point).sort(), id).toEqual(['epoch', 'loss', 'seconds']);
    }
  });

  it('lists the Fashion-MNIST runs as not run', () => {
    const notRun = Object.entries(results().experiments).filter(([, e]) => e.kind === 'not-run');
    expect(notRun.map(([id]) => id)).toEqual([
      'schedule-train-constant',
      'schedule-train-square-root',
      'schedule-train-factor',
      'schedule-train-multi-factor',
      'schedule-train-cosine',
      'schedule-train-cosine-warmup',
    ]);
    for (const [, e] of notRun) expect(typeof e.reason).toBe('string');
  });
});

describe('index.html', () => {
  const figures = () => run.sections.flatMap((s) => s.figures);

  it('is one self-contained page: no URLs, scripts or stylesheets to fetch', () => {
    const html = read('index.html');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
  });

  it('shows every figure inline, with ids unique across the page', () => {
    const html = read('index.html');
    expect(html.match(/<svg\b/g)?.length).toBe(figures().length);
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, target] of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(target);
  });

  it('has a section per chapter section that ran', () => {
    const html = read('index.html');
    for (const { section } of run.sections)
      expect(html).toContain(`<section id="${section.slug}">`);
  });

  it('links every trace’s figure to its preset in the playground.html beside it', () => {
    const html = read('index.html');
    const links = [...html.matchAll(/href="playground\.html#preset=([^"]+)"/g)].map((m) => m[1]);
    const traces = run.runs.filter((r) => r.result.kind === 'trace').map((r) => r.id);
    for (const id of traces) expect(links).toContain(id);
    expect(files).toContain('playground.html');
    const page = read('playground.html');
    // One file: the bundle inlined, nothing fetched (a link only to a data: URL: the icon that
    // keeps a browser from asking for /favicon.ico).
    expect(page).toMatch(/<script type="module">/);
    expect(page).not.toMatch(
      /<script[^>]* src=|<link(?![^>]* href="data:)|https?:\/\/(?!www\.w3\.org)/,
    );
  });

  it('sets the book’s printed line beside each deterministic result', () => {
    const html = read('index.html');
    for (const r of run.runs) {
      if (r.result.kind === 'trace' && r.result.book) expect(html).toContain(r.result.book.printed);
    }
  });
});

describe('report.md and figures/', () => {
  it('writes every file it lists, and an SVG per figure', () => {
    for (const file of files) expect(existsSync(join(dir, file)), file).toBe(true);
    const svgs = readdirSync(join(dir, 'figures'));
    expect(svgs.sort()).toEqual(
      run.sections.flatMap((s) => s.figures.map((f) => `${f.id}.svg`)).sort(),
    );
  });

  it('has tables, a row per experiment that gives numbers, and links to existing figures', () => {
    const md = read('report.md');
    const tables = md.split('\n').filter((line) => /^\|( --- \|)+$/.test(line));
    expect(tables.length).toBeGreaterThan(10);
    for (const r of run.runs) {
      if (r.result.kind === 'trace' || r.result.kind === 'training')
        expect(md).toMatch(new RegExp(`^\\| ${r.id} \\|`, 'm'));
    }
    const links = [...md.matchAll(/!\[[^\]]*\]\((figures\/[^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBe(readdirSync(join(dir, 'figures')).length);
    for (const link of links) expect(existsSync(join(dir, link)), link).toBe(true);
  });

  it('writes SVGs that render, with axes and text', () => {
    for (const name of ['gd-2d.svg', 'minibatch-loss-time.svg', 'schedule-cosine.svg']) {
      const svg = read(join('figures', name));
      expect(svg).toMatch(/^<svg/);
      expect(svg).toMatch(/role-axis/);
      const png = new Resvg(svg).render();
      expect(png.width).toBeGreaterThan(300);
      expect(png.height).toBeGreaterThan(200);
    }
  });
});
