#!/usr/bin/env node
// Renders a lab report the way a reader sees it: headless Chromium (Debian's, with the network
// switched off) opens index.html and saves a full-page PNG, and the same page cut into slices of
// `sliceHeight` pixels (screenshot-1.png, ...), small enough to view at full resolution.
//   node scripts/screenshot-report.mjs [lab-report/index.html] [lab-report/screenshot.png] [width] [sliceHeight]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [
  page = 'lab-report/index.html',
  out = 'lab-report/screenshot.png',
  width = '1280',
  sliceHeight = '1400',
] = process.argv.slice(2);
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
try {
  const tab = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
  const requests = [];
  tab.on('request', (request) => {
    if (!request.url().startsWith('file:')) requests.push(request.url());
  });
  await tab.goto(pathToFileURL(resolve(page)).href, { waitUntil: 'load' });
  await tab.screenshot({ path: out, fullPage: true });
  const height = await tab.evaluate(() => document.documentElement.scrollHeight);
  const slice = Number(sliceHeight);
  for (let y = 0, i = 1; y < height; y += slice, i++) {
    const clip = { x: 0, y, width: Number(width), height: Math.min(slice, height - y) };
    await tab.screenshot({ path: out.replace(/\.png$/, `-${i}.png`), fullPage: true, clip });
  }
  console.log(`${out}: ${width} × ${height} px, ${Math.ceil(height / slice)} slices`);
  if (requests.length > 0) {
    console.error(
      `the page asked for ${requests.length} non-local resources: ${requests.join(', ')}`,
    );
    process.exitCode = 1;
  }
} finally {
  await browser.close();
}
