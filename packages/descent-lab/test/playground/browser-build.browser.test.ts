/**
 * descent's browser build (`descent/browser`: dist/browser/descent.js, one ES module with the
 * WebAssembly embedded, written by the library's build) imported by a plain page in Chromium,
 * served once cross-origin isolated (COOP/COEP: the WebAssembly kernels run) and once not (the
 * TypeScript kernels run): both take the Adam step that descent takes in Node.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Adam, param } from 'descent';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bundle = readFileSync(createRequire(import.meta.url).resolve('descent/browser'), 'utf8');

/** The page: one Adam step in each precision, and which kernels ran it. */
const page = `<!doctype html>
<meta charset="utf-8">
<title>descent in a page</title>
<link rel="icon" href="data:,">
<script type="module">
  import { Adam, param, simdInfo } from './descent.js';
  const step = (dtype) => {
    const x = param([1, 2, 3, 4], { dtype });
    x.grad.set([0.5, -1, 2, 0]);
    new Adam([x], { lr: 0.1 }).step();
    return Array.from(x.data);
  };
  const results = { float32: step('float32'), float64: step('float64') };
  const info = simdInfo();
  window.result = { ...results, available: info.available, rows: info.rows, isolated: crossOriginIsolated };
</script>
`;

let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  // /isolated/ is served with the headers that make a page cross-origin isolated, /plain/ without.
  server = createServer((request, response) => {
    const [, where, name] = (request.url ?? '').split('/');
    const headers: Record<string, string> =
      where === 'isolated'
        ? {
            'Cross-Origin-Opener-Policy': 'same-origin',
            'Cross-Origin-Embedder-Policy': 'require-corp',
          }
        : {};
    if (name === 'descent.js')
      response.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(bundle);
    else if (name === '')
      response.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** descent's Adam step in Node, from the same state. */
function nodeStep(dtype: 'float32' | 'float64'): number[] {
  const x = param([1, 2, 3, 4], { dtype });
  (x.grad as Float32Array | Float64Array).set([0.5, -1, 2, 0]);
  new Adam([x], { lr: 0.1 }).step();
  return Array.from(x.data);
}

describe.each([
  ['isolated', true],
  ['plain', false],
])('descent/browser in a page served %s', (where, isolated) => {
  it(`runs the ${isolated ? 'WebAssembly' : 'TypeScript'} kernels and takes Node's Adam step`, async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await tab.goto(`${origin}/${where}/`);
    await tab.waitForFunction(() => 'result' in globalThis);
    const result = (await tab.evaluate(
      () => (globalThis as unknown as { result: unknown }).result,
    )) as {
      float32: number[];
      float64: number[];
      available: boolean;
      rows: number;
      isolated: boolean;
    };
    await tab.close();
    expect(errors).toEqual([]);
    expect(result.isolated).toBe(isolated);
    expect(result.available).toBe(isolated);
    // The kernels' counter of tensor updates: both steps ran in WebAssembly, or none did.
    expect(result.rows).toBe(isolated ? 2 : 0);
    expect(result.float32).toEqual(nodeStep('float32'));
    expect(result.float64).toEqual(nodeStep('float64'));
  });
});
