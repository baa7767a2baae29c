import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { ChildRequest, ChildResponse } from './runner.js';

/**
 * Fresh processes for the differential suite. Node 20 cannot run TypeScript, so `transpile()`
 * copies what the child needs into a temporary directory as JavaScript: child.ts, runner.ts and
 * every module of src/ they reach, transpiled one file at a time (`ts.transpileModule`, no type
 * check: the sources are the working tree's, as Vitest runs them, not a build in dist/). A child
 * is `node <dir>/test/optim/differential/child.js`, talking JSON on stdin and stdout.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const entry = 'test/optim/differential/child.ts';

export interface ChildProgram {
  dir: string;
  script: string;
  remove(): void;
}

export function transpile(): ChildProgram {
  const dir = mkdtempSync(join(tmpdir(), 'descent-differential-'));
  const seen = new Set<string>();
  const queue = [resolve(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    const out = join(dir, relative(root, file).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
    // Relative imports left after type-only ones are erased: `from './x.js'`, `import('./x.js')`.
    for (const match of outputText.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const target = resolve(dirname(file), `${match[1]}.ts`);
      if (!existsSync(target)) throw new Error(`${file} imports ${match[1]}.js: no ${target}`);
      queue.push(target);
    }
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return {
    dir,
    script: join(dir, entry.replace(/\.ts$/, '.js')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs one request in a fresh `node` process. */
export function runChild(program: ChildProgram, request: ChildRequest): Promise<ChildResponse> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [program.script], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0) {
        reject(new Error(`child exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(stdout) as ChildResponse);
      } catch (error) {
        reject(new Error(`child wrote no JSON (${String(error)}): ${stdout.slice(0, 500)}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/** Runs tasks with at most `limit` at a time (children on a machine of few cores). */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot to the next waiting one.
    if (active >= limit) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next === undefined) active--;
      else next();
    }
  };
}
