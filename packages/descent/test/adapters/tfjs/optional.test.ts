import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every module specifier a source file imports or re-exports, statically. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\s+'([^']+)'/g)].map(
    (m) => m[1] ?? m[2],
  );
}

/** The packages reached from a source file through its relative imports. */
function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(resolve(root, entry));
  return packages;
}

it('keeps tfjs out of the core package, and in descent/tfjs', () => {
  const core = [...packagesReached('src/index.ts')];
  expect(core.filter((p) => p.startsWith('@tensorflow/'))).toEqual([]);
  expect([...packagesReached('src/adapters/tfjs/index.ts')]).toContain('@tensorflow/tfjs-core');
});

it('exports the adapter as descent/tfjs', () => {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
  expect(pkg.exports['./tfjs'].default).toBe('./dist/adapters/tfjs/index.js');
  expect(pkg.peerDependenciesMeta['@tensorflow/tfjs-core'].optional).toBe(true);
});
