// Bundles the playground (src/playground/main.ts with descent's browser entry, its TypeScript
// sources through the repository's "descent-source" condition, so the page always runs the
// current library) into dist/playground/ (index.html and playground.js, which `descent playground`
// serves) and dist/playground.html (the same page with the script inlined, which opens from disk;
// `descent lab` copies it into its report). descent's WebAssembly is already in the bundle, as
// base64 in the library's own module.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the page into `outDir` (default: the package's dist/); returns the files' paths and sizes. */
export async function buildPlayground(outDir = join(root, 'dist')) {
  const result = await build({
    entryPoints: [join(root, 'src/playground/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['descent-source'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const js = result.outputFiles[0].text;
  const page = await readFile(join(root, 'src/playground/page.html'), 'utf8');
  const served = page.replace(
    '<!--script-->',
    '<script type="module" src="./playground.js"></script>',
  );
  // Inlined, the script must not close its element early; `<\/script` means the same in JS strings.
  const inline = js.replace(/<\/script/gi, '<\\/script');
  const single = page.replace('<!--script-->', () => `<script type="module">${inline}</script>`);
  await mkdir(join(outDir, 'playground'), { recursive: true });
  const files = {
    [join(outDir, 'playground/index.html')]: served,
    [join(outDir, 'playground/playground.js')]: js,
    [join(outDir, 'playground.html')]: single,
  };
  for (const [path, text] of Object.entries(files)) await writeFile(path, text);
  return Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.byteLength(text) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildPlayground(process.argv[2]);
  for (const f of files) console.log(`${f.path} (${(f.bytes / 1024).toFixed(0)} KiB)`);
}
