// Prints, as JSON, the PyTorch program the playground exports for each case of
// test/playground/code-export-cases.ts ({ programs: { id: program }, notRun: { id: why } }): what
// scripts/reference/playground_code_export.py runs with PyTorch, but for the cases in notRun. The
// page's modules are bundled from their sources (esbuild, descent through its "descent-source" condition).
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(tmpdir(), `descent-code-export-${process.pid}.mjs`);
await build({
  stdin: {
    contents: [
      "import { cases, notRunByPython } from './test/playground/code-export-cases.ts';",
      "import { codeSnippets } from './src/playground/code-export.ts';",
      'export const programs = Object.fromEntries(',
      '  Object.entries(cases).map(([id, state]) => [id, codeSnippets(state, 0).python]),',
      ');',
      'export const notRun = notRunByPython;',
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  conditions: ['descent-source'],
  outfile: out,
  logLevel: 'warning',
});
try {
  const { programs, notRun } = await import(pathToFileURL(out).href);
  console.log(JSON.stringify({ programs, notRun }));
} finally {
  await rm(out, { force: true });
}
