import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { simdInfo } from '../../descent/src/kernels/wasm/index.js';
import { type Bandwidth, bandwidthProbe, bestBandwidth } from './bandwidth.js';
import { type DescentMode, merge, prepareThreads, type Sampled, sampleDescent } from './descent.js';
import { timeAdagradInC } from './divider.js';
import { runMuon, type TfMatmul } from './muon.js';
import { optimizers } from './optimizers.js';
import { packageRoot } from './paths.js';
import { type BenchResult, type Case, formatReport } from './report.js';
import { loadTfjs, type TfBackend, timeTfjs } from './tfjs.js';
import { FULL, perRound, QUICK, summarize } from './timing.js';
import { timeTorch } from './torch.js';

export interface BenchOptions {
  /**
   * Tiny sizes and two repetitions: checks that everything runs, measures nothing. The reference
   * still runs over 2^20 elements, above the thread pool's threshold, so it shares its passes.
   */
  quick?: boolean;
  /** Parameter counts (default 1e4, 1e6, 4e6 and 3.2e7). */
  sizes?: number[];
  tfjs?: boolean;
  torch?: boolean;
  /** Muon's orthogonalization (default true), at these sizes (default 256 and 1024). */
  muon?: boolean;
  muonSizes?: number[];
  /** Progress lines (default to stderr). */
  log?: (line: string) => void;
}

const SIZES = [1e4, 1e6, 4e6, 3.2e7];
const QUICK_SIZES = [1000];
const MUON_SIZES = [256, 1024];
/** Not a multiple of the product's tiles: quick mode runs their edges. */
const QUICK_MUON_SIZES = [50];
/** Rounds of the bound cases and the reference; see perRound. */
const ROUNDS = 4;
const BOUND_MODES: DescentMode[] = ['simd', 'simd-1'];

/**
 * Runs the whole benchmark in one run: in rounds, the bandwidth reference, every optimizer at
 * every size through descent's SIMD kernels on all cores and on one, and many small tensors
 * against one large; then the TypeScript kernels; TensorFlow.js (cpu, wasm backends); PyTorch
 * (foreach and single-tensor, in a Python subprocess); Muon's orthogonalization (src/muon.ts).
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const budget = quick ? QUICK : FULL;
  const sizes = options.sizes ?? (quick ? QUICK_SIZES : SIZES);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threads = await prepareThreads();

  // Each phase apart, so no library's garbage or threads slow another's timings. The cases held
  // to the bandwidth bound (SIMD on all cores and on one) and the reference itself are timed in
  // rounds, interleaved, and each keeps its best (see perRound in timing.ts).
  const rounds = quick ? 1 : ROUNDS;
  const burst = quick ? budget : perRound(budget, rounds);
  const bandwidthElements = quick ? 1 << 20 : 3.2e7;
  const probe = bandwidthProbe(bandwidthElements, threads);
  const many = quick ? { count: 20, size: 50 } : { count: 200, size: 5000 };
  const total = many.count * many.size;
  const adam = optimizers.find((s) => s.name === 'Adam')!;
  const samples = new Map<string, Sampled>();
  const add = (key: string, sampled: Sampled) => samples.set(key, merge(samples.get(key), sampled));
  const timing = (key: string) => summarize(samples.get(key)!.times);
  let bandwidth: Bandwidth | null = null;
  for (let round = 1; round <= rounds; round++) {
    log(
      `round ${round} of ${rounds}: read-modify-write reference over ${bandwidthElements} float32 elements`,
    );
    const measured = probe.measure(burst);
    bandwidth = bandwidth === null ? measured : bestBandwidth(bandwidth, measured);
    for (const size of sizes) {
      for (const spec of optimizers) {
        for (const mode of BOUND_MODES) {
          add(`${spec.name} ${size} ${mode}`, sampleDescent(spec, [size], mode, burst));
        }
      }
      log(`round ${round} of ${rounds}: descent at ${size}`);
    }
    for (const mode of BOUND_MODES) {
      add(`many ${mode}`, sampleDescent(adam, Array(many.count).fill(many.size), mode, burst));
      add(`one ${mode}`, sampleDescent(adam, [total], mode, burst));
    }
  }
  bandwidth = bestBandwidth(bandwidth!, probe.measure(burst));
  probe.close();
  const adagradInC = timeAdagradInC(Math.max(...sizes), quick ? 2 : 10);

  const cases: Case[] = [];
  for (const size of sizes) {
    for (const spec of optimizers) {
      const c: Case = {
        optimizer: spec.name,
        size,
        bytes: spec.bytes,
        descent: {},
        sharing: {},
        tfjs: {},
        torch: {},
      };
      for (const mode of BOUND_MODES) {
        c.descent[mode] = timing(`${spec.name} ${size} ${mode}`);
        c.sharing[mode] = samples.get(`${spec.name} ${size} ${mode}`)!.sharing;
      }
      const ts = sampleDescent(spec, [size], 'ts', budget);
      c.descent.ts = summarize(ts.times);
      c.sharing.ts = ts.sharing;
      log(`descent ${spec.name} ${size}: ${c.descent.simd!.best.toFixed(3)} ms`);
      cases.push(c);
    }
  }
  const manySmall = {
    ...many,
    total,
    descent: {} as BenchResult['manySmall']['descent'],
    torch: {} as BenchResult['manySmall']['torch'],
  };
  for (const mode of BOUND_MODES) {
    manySmall.descent[mode] = { many: timing(`many ${mode}`), one: timing(`one ${mode}`) };
  }
  log(`many small tensors: ${many.count} x ${many.size}`);

  const tf = options.tfjs === false ? null : await loadTfjs();
  if (tf !== null) {
    for (const c of cases) {
      const spec = optimizers.find((s) => s.name === c.optimizer)!;
      if (spec.tfjs === undefined) continue;
      for (const backend of ['cpu', 'wasm'] as TfBackend[]) {
        c.tfjs[backend] = await timeTfjs(tf, backend, spec, c.size, budget);
      }
      log(`TensorFlow.js ${c.optimizer} ${c.size}: ${c.tfjs.wasm!.best.toFixed(3)} ms (wasm)`);
    }
  }

  const torch =
    options.torch === false
      ? null
      : timeTorch(optimizers, sizes, { ...many, total: manySmall.total }, budget);
  if (torch !== null) {
    log(`PyTorch ${torch.torch}, ${torch.threads} threads`);
    for (const r of torch.results) {
      const key = r.foreach ? 'foreach' : 'single';
      if (r.layout !== undefined) {
        manySmall.torch[key] ??= {};
        manySmall.torch[key][r.layout] = r;
      } else {
        const c = cases.find((x) => x.optimizer === r.optimizer && x.size === r.size);
        if (c !== undefined) c.torch[key] = r;
      }
    }
  }

  const muon =
    options.muon === false
      ? null
      : await runMuon(
          options.muonSizes ?? (quick ? QUICK_MUON_SIZES : MUON_SIZES),
          budget,
          tf as unknown as TfMatmul | null,
          options.torch !== false,
          log,
        );

  return {
    date: new Date().toISOString(),
    quick,
    rounds,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      threads,
      tfjs: tf?.version_core ?? null,
      torch: torch?.torch ?? null,
      torchThreads: torch?.threads ?? null,
    },
    simd: simdInfo().available,
    bandwidth,
    adagradInC,
    cases,
    muon,
    manySmall,
  };
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const outIndex = argv.indexOf('--out');
  const sizesIndex = argv.indexOf('--sizes');
  const out =
    outIndex >= 0
      ? argv[outIndex + 1]
      : fileURLToPath(new URL('results/latest.json', packageRoot()));
  // --only-muon: times Muon's section alone and puts it into the results the last full run
  // wrote, so its report shows every section.
  if (argv.includes('--only-muon')) {
    if (!existsSync(out))
      throw new Error(`bench: --only-muon updates ${out}, which a full run writes`);
    const result = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
    await prepareThreads();
    const tf = argv.includes('--no-tfjs') ? null : await loadTfjs();
    result.muon = await runMuon(
      MUON_SIZES,
      FULL,
      tf as unknown as TfMatmul | null,
      !argv.includes('--no-torch'),
      (line) => process.stderr.write(`${line}\n`),
    );
    return write(out, result);
  }
  const result = await runBench({
    quick,
    sizes: sizesIndex >= 0 ? argv[sizesIndex + 1].split(',').map(Number) : undefined,
    tfjs: !argv.includes('--no-tfjs'),
    torch: !argv.includes('--no-torch'),
  });
  write(out, result);
}

/** Prints the report and writes the results (JSON) and the report (Markdown) beside them. */
function write(out: string, result: BenchResult): void {
  const report = formatReport(result);
  console.log(report);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = out.replace(/(\.json)?$/, '.md');
  writeFileSync(markdown, `${report}\n`);
  console.log(`\nwrote ${out} and ${markdown}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
