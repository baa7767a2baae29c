// The playground's redraw latency in Chromium (npm run bench:playground): six optimizers × 1,000
// steps on Rosenbrock, the time from a control's input to the redrawn page, median of 40 inputs.
// Two inputs: one run's learning rate (that run reruns, the other five come from the cache) and
// the steps (all six rerun). Measured served (cross-origin isolated: WebAssembly kernels) and from
// disk (TypeScript kernels). A benchmark, not a test: it prints numbers and asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { servePlayground } from '../dist/cli/playground.js';
import { buildPlayground } from './build-playground.mjs';

const dir = mkdtempSync(join(tmpdir(), 'descent-playground-bench-'));
await buildPlayground(dir);
const { url, server } = await servePlayground(join(dir, 'playground'), 0);
const state = {
  fn: 'rosenbrock',
  start: [-1.5, 2.5],
  steps: 1000,
  runs: [
    { optimizer: 'SGD', options: { lr: 0.0002, momentum: 0.9 } },
    { optimizer: 'Adam', options: { lr: 0.05 } },
    { optimizer: 'RMSprop', options: { lr: 0.005 } },
    { optimizer: 'Adagrad', options: { lr: 0.5 } },
    { optimizer: 'NAdam', options: { lr: 0.05 } },
    { optimizer: 'Yogi', options: { lr: 0.05 } },
  ],
  tol: 1e-3,
  logLoss: true,
  at: 0,
};
const hash = `#s=${encodeURIComponent(JSON.stringify(state))}`;
const browser = await chromium.launch({
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
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const [where, base] of [
    ['served (WebAssembly kernels)', url],
    ['file (TypeScript kernels)', pathToFileURL(join(dir, 'playground.html')).href],
  ]) {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(base + hash);
    await page.waitForSelector('#readout-body tr[data-run="5"]');
    for (const [what, field, value] of [
      ['one run’s learning rate', 'run0-lr', (k) => 0.0002 + k * 1e-6],
      ['the steps (all six rerun)', 'steps', (k) => 1000 - (k % 2) - 2 * k],
    ]) {
      const times = await page.evaluate(
        async ({ field, values }) => {
          const input = document.getElementById(field);
          const out = { handler: [], frame: [] };
          for (const v of values) {
            input.value = String(v);
            const began = performance.now();
            input.dispatchEvent(new Event('change'));
            out.handler.push(performance.now() - began);
            // Two frames: the first callback runs before the frame that shows the new picture.
            await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
            out.frame.push(performance.now() - began);
          }
          return out;
        },
        { field, values: Array.from({ length: 40 }, (_, k) => value(k + 1)) },
      );
      console.log(
        `${where}, ${what}: input to redrawn canvas ${median(times.handler).toFixed(1)} ms median, to the next frame on screen ${median(times.frame).toFixed(1)} ms`,
      );
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
