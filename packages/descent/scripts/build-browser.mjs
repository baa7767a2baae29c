// Bundles descent for browsers into one ES module, dist/browser/descent.js (or the path given):
// the browser entry (src/index.ts) with every module it imports, the WebAssembly kernels
// included, as they are embedded in src/kernels/wasm/binary.ts. Any page can import it; where the
// page is cross-origin isolated the WebAssembly kernels run, elsewhere the TypeScript ones.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Writes the bundle to `outfile`. */
export async function buildBrowser(outfile = join(root, 'dist/browser/descent.js')) {
  await build({
    entryPoints: [join(root, 'src/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    outfile,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBrowser(process.argv[2]);
