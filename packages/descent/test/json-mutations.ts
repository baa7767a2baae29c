import fc from 'fast-check';

/**
 * Mutations of a decoded JSON tree, for the property tests that load mutated state dicts
 * (test/optim/load-state.test.ts, test/schedules/load-state.test.ts): a value replaced, deleted,
 * a key added (an own property even for "__proto__", as JSON.parse makes it), two values swapped.
 */

// biome-ignore lint/suspicious/noExplicitAny: mutated JSON of any shape.
export type Json = any;

export type TreeMutation =
  | { kind: 'replace'; site: number; value: number }
  | { kind: 'delete'; site: number }
  | { kind: 'add'; site: number; key: number; value: number }
  | { kind: 'swap'; site: number; other: number };

/** The weighted arbitraries of tree mutations, for `fc.oneof` beside a test's own. */
export function treeMutations(
  replacements: number,
  addedKeys: number,
): fc.WeightedArbitrary<TreeMutation>[] {
  return [
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('replace' as const),
        site: fc.nat(),
        value: fc.nat(replacements - 1),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), site: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        site: fc.nat(),
        key: fc.nat(addedKeys - 1),
        value: fc.nat(replacements - 1),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('swap' as const), site: fc.nat(), other: fc.nat() }),
    },
  ];
}

/** Every place below the root: the path to each value. */
export function sites(tree: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (node: Json, path: (string | number)[]) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      const child = [...path, key];
      out.push(child);
      walk(node[key], child);
    }
  };
  walk(tree, []);
  return out;
}

export const at = (tree: Json, path: (string | number)[]): Json =>
  path.reduce((node, key) => node[key], tree);

/**
 * Applies a tree mutation to `holder.root`, or to the root itself too when `root` is true (so
 * that a whole state can be replaced). `all` are the places it may hit, paths from the holder.
 */
export function applyTreeMutation(
  holder: { root: Json },
  m: TreeMutation,
  all: (string | number)[][],
  replacements: readonly Json[],
  addedKeys: readonly string[],
): void {
  if (all.length === 0) return;
  const path = all[m.site % all.length];
  const parent = at(holder, path.slice(0, -1));
  const key = path.at(-1)!;
  const value = () => structuredClone(replacements[(m as { value: number }).value]);
  switch (m.kind) {
    case 'replace':
      parent[key] = value();
      return;
    case 'delete':
      if (path.length === 1) return;
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return;
    case 'add': {
      const target = parent[key];
      if (target === null || typeof target !== 'object' || Array.isArray(target)) return;
      Object.defineProperty(target, addedKeys[m.key], {
        value: value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return;
    }
    case 'swap': {
      const other = all[m.other % all.length];
      // Swapping a node with its own descendant or ancestor would make a cycle.
      const text = JSON.stringify(path).slice(0, -1);
      const otherText = JSON.stringify(other).slice(0, -1);
      if (text.startsWith(otherText) || otherText.startsWith(text)) return;
      const otherParent = at(holder, other.slice(0, -1));
      const a = parent[key];
      parent[key] = otherParent[other.at(-1)!];
      otherParent[other.at(-1)!] = a;
    }
  }
}
