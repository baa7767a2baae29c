import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './paths.js';

/** A C program of src/, compiled for this machine; `close` removes it. */
export interface NativeProgram {
  compiler: string;
  /** Runs it with these arguments and returns the number it prints. */
  run(...args: number[]): number;
  close(): void;
}

/** The first C compiler on the PATH, or null. */
export function findCompiler(): string | null {
  const names = ['cc', 'gcc', 'clang'];
  return (
    names.find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0) ?? null
  );
}

/** Compiles src/`file` with -O3 and `flags`; null without a compiler or when it fails. */
export function compileC(file: string, flags: string[]): NativeProgram | null {
  const compiler = findCompiler();
  if (compiler === null) return null;
  const dir = mkdtempSync(join(tmpdir(), 'descent-bench-'));
  const close = () => rmSync(dir, { recursive: true, force: true });
  const binary = join(dir, file.replace(/\.c$/, ''));
  const source = fileURLToPath(new URL(`src/${file}`, packageRoot()));
  const build = spawnSync(compiler, ['-O3', ...flags, source, '-o', binary, '-lm'], {
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    close();
    return null;
  }
  return {
    compiler,
    run(...args) {
      const out = spawnSync(binary, args.map(String), { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`bench: ${binary} failed: ${out.stderr}`);
      return Number(out.stdout.trim());
    },
    close,
  };
}
