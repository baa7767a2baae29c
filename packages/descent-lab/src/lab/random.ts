/**
 * A small seeded random source for the lab: the same seed gives the same noise, shuffles and
 * initial weights on every machine, so a reader can rerun any random experiment exactly.
 */
export interface Random {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Shuffles in place (Fisher–Yates). */
  shuffle<T extends { [index: number]: number; length: number }>(array: T): T;
}

/**
 * mulberry32 for the stream and Box–Muller for normals. The seed of each experiment mixes the
 * lab's seed with the experiment's id, so running one experiment alone (`--only`) gives the same
 * numbers as running it with all the others.
 */
export function createRandom(seed: number, stream = ''): Random {
  let state = (seed ^ hash(stream)) >>> 0;
  let spare: number | null = null;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal() {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      // 1 - u keeps the logarithm finite: uniform() can return 0 but never 1.
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        const swap = array[i];
        array[i] = array[j];
        array[j] = swap;
      }
      return array;
    },
  };
}

/** FNV-1a: spreads an experiment id over 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
