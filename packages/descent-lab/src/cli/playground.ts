import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { integer } from './options.js';

/** The built page (scripts/build-playground.mjs), beside this module in src/ and in dist/. */
export const playgroundDir = fileURLToPath(new URL('../../dist/playground/', import.meta.url));

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves `dir` on 127.0.0.1 (port 0: any free one), cross-origin isolated (COOP same-origin, COEP
 * require-corp), so that the page has SharedArrayBuffer and descent's WebAssembly kernels run.
 */
export async function servePlayground(
  dir: string,
  port: number,
): Promise<{ url: string; server: Server }> {
  const root = resolve(dir);
  const server = createServer(async (request, response) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(root, `.${normalize(path.endsWith('/') ? `${path}index.html` : path)}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, headers).end();
      return;
    }
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403, headers).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        ...headers,
        'Content-Type': types[extname(file)] ?? 'application/octet-stream',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${bound}/`, server };
}

/** Opens `url` in the system's browser; a failure only leaves the address printed. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

export function registerPlayground(program: Command): void {
  program
    .command('playground')
    .description(
      "serve the playground on 127.0.0.1: descent's optimizers on the chapter's functions and the classic test functions, in the browser",
    )
    .option('--port <n>', 'port to listen on (0: any free port)', integer(0, 65535), 8731)
    .option('--no-open', 'do not open a browser')
    .action(async (flags: { port: number; open: boolean }) => {
      if (!existsSync(join(playgroundDir, 'index.html')))
        throw new Error(
          `the playground is not built (${playgroundDir}): run npm run build -w descent-lab`,
        );
      const { url } = await servePlayground(playgroundDir, flags.port);
      console.log(`descent playground: ${url} (Ctrl-C stops it)`);
      if (flags.open) openBrowser(url);
    });
}
