import type { Bandwidth } from './bandwidth.js';
import type { DescentMode, Sharing } from './descent.js';
import type { AdagradInC } from './divider.js';
import { type MuonResult, NS_STEPS } from './muon.js';
import type { TfBackend } from './tfjs.js';
import { gbPerSecond, type Timing } from './timing.js';

/** One optimizer at one size, every implementation; timings in ms per step. */
export interface Case {
  optimizer: string;
  size: number;
  /** float32 bytes a step moves per element (src/optimizers.ts). */
  bytes: number;
  descent: Partial<Record<DescentMode, Timing>>;
  /** Steps descent ran per mode, and those its thread pool shared. */
  sharing: Partial<Record<DescentMode, Sharing>>;
  tfjs: Partial<Record<TfBackend, Timing>>;
  torch: Partial<Record<'foreach' | 'single', Timing>>;
}

type Pair = { many: Timing; one: Timing };

export interface BenchResult {
  date: string;
  quick: boolean;
  /** Rounds in which the bound cases and the reference were timed, interleaved. */
  rounds: number;
  machine: {
    cpu: string;
    cores: number;
    node: string;
    threads: number;
    tfjs: string | null;
    torch: string | null;
    torchThreads: number | null;
  };
  simd: boolean;
  bandwidth: Bandwidth;
  adagradInC: AdagradInC;
  cases: Case[];
  /** Muon's orthogonalization (src/muon.ts); absent from results written before it. */
  muon?: MuonResult | null;
  manySmall: {
    count: number;
    size: number;
    total: number;
    descent: Partial<Record<DescentMode, Pair>>;
    torch: Partial<Record<'foreach' | 'single', Partial<Pair>>>;
  };
}

/** The bandwidth bound a step is held to: the better of WebAssembly and C, per thread count. */
export function bound(b: Bandwidth, allCores: boolean): number {
  return allCores ? Math.max(b.wasmAll, b.cAll ?? 0) : Math.max(b.wasm1, b.c1 ?? 0);
}

/** How many times faster `fast` is than `slow` (best against best), or null if one is missing. */
export function speedup(slow: Timing | undefined, fast: Timing | undefined): number | null {
  return slow === undefined || fast === undefined ? null : slow.best / fast.best;
}

/** What a case's row reports beside its times: figures null where the timing is missing. */
export interface CaseFigures {
  /** GB/s of descent SIMD on every thread and on one, from the bytes its step must move. */
  simdGBs: number | null;
  singleGBs: number | null;
  /** Those as shares of the bound on as many threads (1 = the bound). */
  simdShare: number | null;
  singleShare: number | null;
  /** The TypeScript kernels' time over descent SIMD's. */
  simdOverTs: number | null;
}

export function caseFigures(c: Case, b: Bandwidth): CaseFigures {
  const gbs = (t: Timing | undefined) =>
    t === undefined ? null : gbPerSecond(c.bytes * c.size, t.best);
  const simdGBs = gbs(c.descent.simd);
  const singleGBs = gbs(c.descent['simd-1']);
  return {
    simdGBs,
    singleGBs,
    simdShare: simdGBs === null ? null : simdGBs / bound(b, true),
    singleShare: singleGBs === null ? null : singleGBs / bound(b, false),
    simdOverTs: speedup(c.descent.ts, c.descent.simd),
  };
}

export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

const LARGE = 3.2e7;
/** The sizes the issue sets Muon's targets at. */
const MUON_TARGET_SIZES = [256, 1024];
const TARGET_SIZE = 4e6;

/** The issue's targets, as ratios measured in this run (only where the run has the sizes). */
export function targets(r: BenchResult): Target[] {
  const out: Target[] = [];
  for (const c of r.cases.filter((x) => x.size === LARGE)) {
    const figures = caseFigures(c, r.bandwidth);
    const a = figures.simdShare!;
    const b = figures.singleShare!;
    out.push({
      target: `${c.optimizer} at 32M: >= 85% of all-core, >= 75% of one-core RMW bandwidth`,
      measured: `${percent(a)}, ${percent(b)}`,
      met: a >= 0.85 && b >= 0.75,
    });
  }
  const float32State = r.cases.find((x) => x.optimizer === 'Adam' && x.size === LARGE);
  for (const [dtype, target] of [
    ['bfloat16', 1.3],
    ['int8', 1.5],
  ] as const) {
    const c = r.cases.find((x) => x.optimizer === `Adam ${dtype}` && x.size === LARGE);
    const x = speedup(float32State?.descent.simd, c?.descent.simd);
    if (x === null) continue;
    out.push({
      target: `Adam at 32M, ${dtype} state: >= ${target}x as fast as float32 state (all cores)`,
      measured: `${times(x)} as fast`,
      met: x >= target,
    });
  }
  const adam = r.cases.find((x) => x.optimizer === 'Adam' && x.size === TARGET_SIZE);
  if (adam?.tfjs.wasm !== undefined) {
    const x = speedup(adam.tfjs.wasm, adam.descent.simd)!;
    out.push({ target: 'Adam at 4M: >= 15x TensorFlow.js wasm', measured: times(x), met: x >= 15 });
  }
  if (adam?.torch.foreach !== undefined) {
    const x = speedup(adam.torch.foreach, adam.descent.simd)!;
    out.push({ target: 'Adam at 4M: >= 3x PyTorch foreach', measured: times(x), met: x >= 3 });
  }
  for (const c of r.muon?.cases ?? []) {
    if (!MUON_TARGET_SIZES.includes(c.size) || c.tfjs.wasm === undefined) continue;
    const one = speedup(c.tfjs.wasm, c.descent['simd-1'])!;
    out.push({
      target: `Muon ${c.size}×${c.size}, 1 thread: within 1.5x of TensorFlow.js wasm`,
      measured: `${times(one)} as fast`,
      met: one >= 1 / 1.5,
    });
    const all = speedup(c.tfjs.wasm, c.descent.simd)!;
    out.push({
      target: `Muon ${c.size}×${c.size}, all cores: faster than TensorFlow.js wasm`,
      measured: `${times(all)} as fast`,
      met: all > 1,
    });
  }
  const pair = r.manySmall.descent.simd;
  if (pair !== undefined) {
    const x = speedup(pair.many, pair.one)!;
    out.push({
      target: `${r.manySmall.count} x ${r.manySmall.size} within 1.5x of 1 x ${r.manySmall.total}`,
      measured: times(x),
      met: x <= 1.5,
    });
  }
  return out;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}

function times(x: number): string {
  return `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}x`;
}

function ms(t: Timing | undefined): string {
  if (t === undefined) return '-';
  const x = t.best;
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

function size(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(n);
}

function ratio(slow: Timing | undefined, fast: Timing | undefined): string {
  const x = speedup(slow, fast);
  return x === null ? '-' : times(x);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The report `npm run bench` prints: Markdown tables, ready for the README. */
export function formatReport(r: BenchResult): string {
  const b = r.bandwidth;
  const all = bound(b, true);
  const one = bound(b, false);
  const m = r.machine;
  const parts: string[] = [];
  parts.push(
    `${m.cpu}, ${m.cores} cores; Node ${m.node}, ${m.threads} threads; ` +
      `TensorFlow.js ${m.tfjs ?? 'absent'}; PyTorch ${m.torch ?? 'absent'}` +
      `${m.torchThreads === null ? '' : ` (the better of ${m.torchThreads} threads and 1)`}; ${r.date}` +
      (r.quick ? ' (quick mode: sizes too small to mean anything)' : ''),
  );
  parts.push(
    table(
      ['read-modify-write b = b*s + c', 'elements', '1 thread GB/s', `${m.threads} threads GB/s`],
      [
        ['WebAssembly SIMD', size(b.elements), b.wasm1.toFixed(1), b.wasmAll.toFixed(1)],
        [
          `C (${b.compiler ?? 'no compiler'}, -O3 -march=native)`,
          size(b.elements),
          b.c1?.toFixed(1) ?? '-',
          b.cAll?.toFixed(1) ?? '-',
        ],
      ],
    ),
  );
  parts.push(
    `descent, float32, ms per step (best of the repetitions; SIMD cases and the reference timed ` +
      `in ${r.rounds} interleaved rounds); GB/s from the bytes each step must ` +
      `move; % of the read-modify-write bound (the better of WebAssembly and C: ` +
      `${all.toFixed(1)} GB/s on ${m.threads} threads, ${one.toFixed(1)} on 1).`,
  );
  parts.push(
    table(
      [
        'optimizer',
        'size',
        'B/elem',
        'SIMD ms',
        'GB/s',
        '%',
        '1-thread ms',
        'GB/s',
        '%',
        'TS ms',
        'SIMD vs TS',
      ],
      r.cases.map((c) => {
        const f = caseFigures(c, b);
        return [
          c.optimizer,
          size(c.size),
          String(c.bytes),
          ms(c.descent.simd),
          f.simdGBs?.toFixed(1) ?? '-',
          f.simdShare === null ? '-' : percent(f.simdShare),
          ms(c.descent['simd-1']),
          f.singleGBs?.toFixed(1) ?? '-',
          f.singleShare === null ? '-' : percent(f.singleShare),
          ms(c.descent.ts),
          f.simdOverTs === null ? '-' : times(f.simdOverTs),
        ];
      }),
    ),
  );
  const c = r.adagradInC;
  const adagrad = r.cases.find((x) => x.optimizer === 'Adagrad' && x.size === c.elements);
  if (adagrad !== undefined && (c.vector128 !== null || c.native !== null)) {
    const cms = (x: number | null) => (x === null ? '-' : ms({ best: x, median: x, reps: 1 }));
    parts.push(
      `Adagrad's step in C on one thread, ${size(c.elements)} elements (src/adagrad.c; one ` +
        `square root and one division per element, like RMSprop's): ${cms(c.vector128)} ms with ` +
        `128-bit vectors (-msse4.2, WebAssembly SIMD's width), ${cms(c.native)} ms with ` +
        `-march=native; descent on one thread: ${ms(adagrad.descent['simd-1'])} ms.`,
    );
  }
  parts.push(
    'Against TensorFlow.js and PyTorch (CPU), ms per step; x = how many times faster descent SIMD is.',
  );
  const compared = r.cases.filter(
    (c) => Object.keys(c.tfjs).length > 0 || Object.keys(c.torch).length > 0,
  );
  parts.push(
    table(
      [
        'optimizer',
        'size',
        'descent',
        'tfjs cpu',
        'x',
        'tfjs wasm',
        'x',
        'torch foreach',
        'x',
        'torch single',
        'x',
      ],
      compared.map((c) => [
        c.optimizer,
        size(c.size),
        ms(c.descent.simd),
        ms(c.tfjs.cpu),
        ratio(c.tfjs.cpu, c.descent.simd),
        ms(c.tfjs.wasm),
        ratio(c.tfjs.wasm, c.descent.simd),
        ms(c.torch.foreach),
        ratio(c.torch.foreach, c.descent.simd),
        ms(c.torch.single),
        ratio(c.torch.single, c.descent.simd),
      ]),
    ),
  );
  const s = r.manySmall;
  const layouts: [string, 'many' | 'one'][] = [
    [`${s.count} x ${size(s.size)}`, 'many'],
    [`1 x ${size(s.total)}`, 'one'],
  ];
  parts.push(`Adam on many small tensors against one of the same total size, ms per step.`);
  parts.push(
    table(
      ['tensors', 'elements', 'descent SIMD', '1 thread', 'torch foreach', 'torch single'],
      [
        ...layouts.map(([label, key]) => [
          label,
          size(s.total),
          ms(s.descent.simd?.[key]),
          ms(s.descent['simd-1']?.[key]),
          ms(s.torch.foreach?.[key]),
          ms(s.torch.single?.[key]),
        ]),
        [
          'many / one',
          '',
          ratio(s.descent.simd?.many, s.descent.simd?.one),
          ratio(s.descent['simd-1']?.many, s.descent['simd-1']?.one),
          ratio(s.torch.foreach?.many, s.torch.foreach?.one),
          ratio(s.torch.single?.many, s.torch.single?.one),
        ],
      ],
    ),
  );
  if (r.muon) parts.push(...muonSection(r.muon, m.threads));
  const t = targets(r);
  if (t.length > 0) {
    parts.push('Targets of the issue, as measured in this run:');
    parts.push(
      table(
        ['target', 'measured', 'met'],
        t.map((x) => [x.target, x.measured, x.met ? 'yes' : 'no']),
      ),
    );
  }
  return parts.join('\n\n');
}

/** Muon's orthogonalization: its paragraph and table. */
function muonSection(mu: MuonResult, threads: number): string[] {
  const tfThreads =
    mu.tfjsThreads === null
      ? ''
      : ` (on ${mu.tfjsThreads} thread${mu.tfjsThreads === 1 ? '' : 's'}: under Node tfjs-backend-wasm runs its single-threaded SIMD binary, setThreadsCount notwithstanding)`;
  return [
    `Muon's orthogonalization of an n × n float32 matrix, ms: ${NS_STEPS} Newton–Schulz ` +
      `iterations (PyTorch 2.9's coefficients), 3 matrix products each; descent as a Muon step ` +
      `(products in WebAssembly, assembly/matmul.ts; the step's momentum and update included), on ` +
      `${threads} threads and on 1; TensorFlow.js wasm (XNNPACK) and PyTorch the iteration with ` +
      `their matMul${tfThreads}; PyTorch on ${mu.torchThreads ?? '-'} threads and on 1` +
      `${mu.torchBlas === null ? '' : ` (built with BLAS ${mu.torchBlas})`}. ` +
      'x = how many times faster descent is (all cores against all cores, 1 thread against 1); ' +
      `${mu.date}.`,
    table(
      [
        'size',
        'descent',
        '1 thread',
        'tfjs wasm',
        'x',
        'x (1 thread)',
        'torch',
        'x',
        'torch 1 thread',
        'x',
      ],
      mu.cases.map((c) => [
        `${c.size}×${c.size}`,
        ms(c.descent.simd),
        ms(c.descent['simd-1']),
        ms(c.tfjs.wasm),
        ratio(c.tfjs.wasm, c.descent.simd),
        ratio(c.tfjs.wasm, c.descent['simd-1']),
        ms(c.torch.all),
        ratio(c.torch.all, c.descent.simd),
        ms(c.torch.one),
        ratio(c.torch.one, c.descent['simd-1']),
      ]),
    ),
  ];
}
