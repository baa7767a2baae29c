/**
 * The playground in Chromium (Debian's, through playwright-core): served cross-origin isolated by
 * `descent playground` and opened from disk as the lab's playground.html, both bundled here from
 * the current sources. Every number the page shows is checked against descent run in Node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosineDecay, RMSprop, SGD } from 'descent';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlayground } from '../../scripts/build-playground.mjs';
import { servePlayground } from '../../src/cli/playground.js';
import { presetBook } from '../../src/playground/book-values.js';
import { presetIds } from '../../src/playground/presets.js';
import { descentFinal, labFinals, shown } from './reference.js';

const dir = mkdtempSync(join(tmpdir(), 'descent-playground-'));
let browser: Browser;
let server: Server;
let served: string;
let file: string;
let finals: Map<string, number[]>;

beforeAll(async () => {
  await buildPlayground(dir);
  ({ url: served, server } = await servePlayground(join(dir, 'playground'), 0));
  file = pathToFileURL(join(dir, 'playground.html')).href;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  finals = await labFinals();
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that records every console error, page error and request outside its origin. */
async function open(url: string, viewport = { width: 1366, height: 768 }) {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  const origin = url.startsWith('file:') ? 'file://' : new URL(url).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:'))
      problems.push(`request outside the page's origin: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('#readout-body tr');
  return { page, problems };
}

const final = (page: Page, run = 0) =>
  page.locator(`#readout-body tr[data-run="${run}"] td.final`).textContent();
const hashState = async (page: Page) => {
  const hash = await page.evaluate<string>('location.hash');
  expect(hash.startsWith('#s=')).toBe(true);
  return JSON.parse(decodeURIComponent(hash.slice(3)));
};
const point = (x: number[]) => `(${x.map(shown).join(', ')})`;

describe.each([
  ['served', () => served, 'WebAssembly'],
  ['file', () => file, 'TypeScript'],
])('the %s page', (_, url, kernels) => {
  it('opens each preset with the lab’s final point (Node) and the book’s value', async () => {
    const { page, problems } = await open(url());
    await expect.poll(() => page.locator('#kernels').textContent()).toContain(kernels);
    let checked = 0;
    for (const id of presetIds) {
      await page.goto(`${url()}#preset=${id}`);
      await page.waitForSelector(`#preset-note[data-preset="${id}"]`);
      const lab = finals.get(id);
      if (lab !== undefined) {
        expect(await final(page), id).toBe(point(lab));
        checked++;
      }
      const book = presetBook(id);
      if (book !== undefined)
        expect(await page.locator('#preset-note').textContent()).toContain(book.printed);
    }
    expect(checked).toBeGreaterThanOrEqual(19);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('a reader’s actions', () => {
  it('change the readout and the address, which agree with descent in Node and survive a reload', async () => {
    const { page, problems } = await open(`${served}#preset=gd-2d`);
    const start = [-5, -2];
    // Type a rate.
    await page.fill('#run0-lr', '0.05');
    await page.press('#run0-lr', 'Enter');
    await expect
      .poll(() => final(page))
      .toBe(point(descentFinal('quad-1-2', 'SGD', { lr: 0.05 }, start, 20)));
    expect((await hashState(page)).runs[0].options.lr).toBe(0.05);
    // Drag a slider: the momentum's, by the keyboard, as a reader without a mouse would.
    const slider = page.locator('fieldset[data-run="0"] input[type=range][data-option="momentum"]');
    await slider.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const momentum = Number(await page.inputValue('#run0-momentum'));
    expect(momentum).toBeGreaterThan(0);
    await expect
      .poll(() => final(page))
      .toBe(point(descentFinal('quad-1-2', 'SGD', { lr: 0.05, momentum }, start, 20)));
    expect((await hashState(page)).runs[0].options.momentum).toBe(momentum);
    // Click the plot to move the start.
    const box = (await page.locator('#plot').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.25);
    const clicked = [
      Number(await page.inputValue('#start0')),
      Number(await page.inputValue('#start1')),
    ];
    expect(clicked).not.toEqual(start);
    expect((await hashState(page)).start).toEqual(clicked);
    const options = { lr: 0.05, momentum };
    await expect
      .poll(() => final(page))
      .toBe(point(descentFinal('quad-1-2', 'SGD', options, clicked, 20)));
    // Add a run (Adam, descent's defaults), then remove it.
    await page.click('#add-run');
    await expect
      .poll(() => final(page, 1))
      .toBe(point(descentFinal('quad-1-2', 'Adam', {}, clicked, 20)));
    expect((await hashState(page)).runs.map((r: { optimizer: string }) => r.optimizer)).toEqual([
      'SGD',
      'Adam',
    ]);
    await page.click('button[aria-label="remove run 2"]');
    await expect.poll(() => page.locator('#readout-body tr').count()).toBe(1);
    // Change the optimizer: the rate stays, the rest are RMSprop's defaults.
    await page.selectOption('#run0-optimizer', 'RMSprop');
    await expect
      .poll(() => final(page))
      .toBe(point(descentFinal('quad-1-2', 'RMSprop', { lr: 0.05 }, clicked, 20)));
    const beforeSchedule = await final(page);
    // Change the schedule: a cosine decay from the run's rate over its 20 steps.
    await page.selectOption('#run0-schedule', 'cosineDecay');
    const schedule = cosineDecay({ initValue: 0.05, steps: 20 });
    const scheduled = point(
      descentFinal('quad-1-2', 'RMSprop', { lr: 0.05 }, clicked, 20, schedule),
    );
    await expect.poll(() => final(page)).toBe(scheduled);
    expect((await hashState(page)).runs[0].schedule).toEqual({
      name: 'cosineDecay',
      options: { initValue: 0.05, steps: 20 },
    });
    // Reload: the same state.
    await page.reload();
    await page.waitForSelector('#readout-body tr');
    expect(await final(page)).toBe(scheduled);
    expect(await page.inputValue('#run0-schedule-initValue')).toBe('0.05');
    // Back: the state before the schedule.
    await page.goBack();
    await expect.poll(() => final(page)).toBe(beforeSchedule);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('invalid input shows descent’s message and keeps the last valid run', async () => {
    const { page, problems } = await open(`${served}#preset=rmsprop-2d`);
    const before = await final(page);
    const hash = await page.evaluate<string>('location.hash');
    const message = (options: object, make: (o: object) => unknown) => {
      try {
        make(options);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('descent accepted it');
    };
    const p = [{ data: new Float64Array(2), grad: null }];
    const cases: [string, string, string][] = [
      ['#run0-lr', '-1', message({ lr: -1 }, (o) => new RMSprop(p, o))],
      ['#run0-alpha', 'abc', message({ alpha: Number.NaN }, (o) => new RMSprop(p, o))],
    ];
    for (const [field, text, expected] of cases) {
      await page.fill(field, text);
      await page.press(field, 'Enter');
      const option = field.replace('#run0-', '');
      await expect
        .poll(() => page.locator(`fieldset[data-run="0"] [data-error="${option}"]`).textContent())
        .toBe(expected);
      expect(await final(page)).toBe(before);
      expect(await page.evaluate<string>('location.hash')).toBe(hash);
    }
    // betas ≥ 1 for Adam.
    await page.selectOption('#run0-optimizer', 'Adam');
    const adam = await final(page);
    await page.fill('#run0-betas', '1');
    await page.press('#run0-betas', 'Enter');
    const { Adam } = await import('descent');
    const expected = message({ betas: [1, 0.999] }, (o) => new Adam(p, o));
    await expect.poll(() => page.locator('[data-error="betas"]').textContent()).toBe(expected);
    expect(await final(page)).toBe(adam);
    expect(expected).toMatch(/beta/i);
    expect(new SGD(p, {}).defaults.lr).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('screenshots', () => {
  it('at laptop and phone width, served and from disk (under /tmp, to look at)', async () => {
    for (const [name, viewport] of [
      ['laptop', { width: 1366, height: 768 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      for (const [where, base] of [
        ['served', served],
        ['file', file],
      ]) {
        const { page, problems } = await open(`${base}#preset=momentum-2d-beta0.5`, viewport);
        // Nothing wider than the window: a phone scrolls down, never sideways.
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - innerWidth',
        );
        expect(overflow, `${name} ${where}`).toBeLessThanOrEqual(0);
        await page.screenshot({
          path: `/tmp/descent-playground-${name}-${where}.png`,
          fullPage: true,
        });
        expect(problems).toEqual([]);
        await page.close();
      }
    }
  });
});
