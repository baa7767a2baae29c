import {
  ADAFACTOR_FACTORED_STEP_TERMS,
  ADAFACTOR_STEP_TERMS,
  adafactor,
  adafactorCols,
  adafactorFactored,
  adafactorFactoredStep,
  adafactorRows,
  adafactorStep,
} from './adafactor';
import { ADADELTA_TERMS, adadelta } from './adadelta';
import { ADAGRAD_TERMS, adagrad } from './adagrad';
import { ADAM_TERMS, adam } from './adam';
import { ADAMAX_TERMS, adamax } from './adamax';
import { ASGD_TERMS, asgd } from './asgd';
import { LAMB_STEP_TERMS, LAMB_TERMS, lamb, lambStep } from './lamb';
import { LION_TERMS, lion } from './lion';
import { matmul } from './matmul';
import { NO_TERMS, ROW_BYTES, ROW_DTYPE, ROW_KERNEL, ROW_LENGTH, ROW_OFFSET, rareTerms } from './memory';
import { BFLOAT16, BFLOAT16_STOCHASTIC, FLOAT, formatOf, INT8 } from './state';
import { decodeBlock, encodeBlock, INT8_BLOCK, scratchRow } from './int8';
import { NADAM_TERMS, nadam } from './nadam';
import { PRODIGY_STEP_TERMS, PRODIGY_TERMS, prodigy, prodigyStep } from './prodigy';
import { RADAM_TERMS, radam } from './radam';
import { RMSPROP_TERMS, rmsprop } from './rmsprop';
import { rmw } from './rmw';
import { rprop } from './rprop';
import { SCHEDULE_FREE_TERMS, scheduleFree, scheduleFreeMove } from './schedule-free';
import { SGD_TERMS, sgd } from './sgd';
import { YOGI_TERMS, yogi } from './yogi';

/** Which update a row asks for. */
export enum Kernel {
  RMW,
  SGD,
  ADAM,
  ADAGRAD,
  RMSPROP,
  ADADELTA,
  ADAMAX,
  NADAM,
  RADAM,
  YOGI,
  RPROP,
  ASGD,
  LION,
  MATMUL,
  SCHEDULE_FREE,
  SCHEDULE_FREE_MOVE,
  LAMB,
  LAMB_STEP,
  PRODIGY,
  PRODIGY_STEP,
  ADAFACTOR,
  ADAFACTOR_STEP,
  ADAFACTOR_ROWS,
  ADAFACTOR_COLS,
  ADAFACTOR_FACTORED,
  ADAFACTOR_FACTORED_STEP,
}

/** Where a kernel keeps its rare terms (memory.ts, rareTerms). */
function termsOf(kernel: u32): u32 {
  switch (kernel) {
    case Kernel.SGD: return SGD_TERMS;
    case Kernel.ADAM: return ADAM_TERMS;
    case Kernel.ADAGRAD: return ADAGRAD_TERMS;
    case Kernel.RMSPROP: return RMSPROP_TERMS;
    case Kernel.ADADELTA: return ADADELTA_TERMS;
    case Kernel.ADAMAX: return ADAMAX_TERMS;
    case Kernel.NADAM: return NADAM_TERMS;
    case Kernel.RADAM: return RADAM_TERMS;
    case Kernel.YOGI: return YOGI_TERMS;
    case Kernel.ASGD: return ASGD_TERMS;
    case Kernel.LION: return LION_TERMS;
    case Kernel.SCHEDULE_FREE: return SCHEDULE_FREE_TERMS;
    case Kernel.LAMB: return LAMB_TERMS;
    case Kernel.LAMB_STEP: return LAMB_STEP_TERMS;
    case Kernel.PRODIGY: return PRODIGY_TERMS;
    case Kernel.PRODIGY_STEP: return PRODIGY_STEP_TERMS;
    case Kernel.ADAFACTOR_STEP: return ADAFACTOR_STEP_TERMS;
    case Kernel.ADAFACTOR_FACTORED_STEP: return ADAFACTOR_FACTORED_STEP_TERMS;
    default: return NO_TERMS;
  }
}

/** Runs elements [lo, hi) of one row. */
function runRow(row: usize, lo: u32, hi: u32): void {
  const kernel = load<u32>(row + ROW_KERNEL);
  const rare = rareTerms(row, termsOf(kernel));
  const format = formatOf(row);
  if (format == BFLOAT16) {
    if (rare) lowPrecisionRow<Rare, Bfloat16State>(row, lo, hi, kernel);
    else lowPrecisionRow<Usual, Bfloat16State>(row, lo, hi, kernel);
  } else if (format == BFLOAT16_STOCHASTIC) {
    if (rare) lowPrecisionRow<Rare, StochasticState>(row, lo, hi, kernel);
    else lowPrecisionRow<Usual, StochasticState>(row, lo, hi, kernel);
  } else if (format == INT8) {
    if (rare) int8Row<Rare>(row, lo, hi, kernel);
    else int8Row<Usual>(row, lo, hi, kernel);
  } else if (rare) {
    kernelRow<Rare>(row, lo, hi, kernel);
  } else {
    kernelRow<Usual>(row, lo, hi, kernel);
  }
}

/** The kernels with moments, on float32 parameters with moments stored as F says (FloatState: a block of int8 ones, decoded). */
@inline function lowPrecisionRow<R, F>(row: usize, lo: u32, hi: u32, kernel: u32): void {
  switch (kernel) {
    case Kernel.SGD: sgdRow<f32, R, F>(row, lo, hi); break;
    case Kernel.ADAM: adamRow<f32, R, F>(row, lo, hi); break;
    case Kernel.ADAGRAD: adagradRow<f32, R, F>(row, lo, hi); break;
    case Kernel.LION: lionRow<f32, R, F>(row, lo, hi); break;
    case Kernel.ADAMAX: adamaxRow<f32, R, F>(row, lo, hi); break;
    case Kernel.RMSPROP: rmspropRow<f32, R, F>(row, lo, hi); break;
    case Kernel.NADAM: nadamRow<f32, R, F>(row, lo, hi); break;
    case Kernel.RADAM: radamRow<f32, R, F>(row, lo, hi); break;
    case Kernel.YOGI: yogiRow<f32, R, F>(row, lo, hi); break;
    default: unreachable();
  }
}

/**
 * A float32 row whose moments are int8 (int8.ts), block by block: decoded into the thread's
 * scratch, stepped there by the kernel's float32 loop, encoded back. The row starts at a block
 * and no chunk splits one (src/kernels/wasm/batch.ts), so `lo` is a block's first element.
 */
function int8Row<R>(row: usize, lo: u32, hi: u32, kernel: u32): void {
  for (let start = lo; start < hi; start += INT8_BLOCK) {
    const end = min(start + INT8_BLOCK, hi);
    decodeBlock(row, start, end);
    lowPrecisionRow<R, FloatState>(scratchRow(row, start), start, end, kernel);
    encodeBlock(row, start, end);
  }
}

/** Runs a row's kernel in its element type, its moments in that type too. */
@inline function kernelRow<R>(row: usize, lo: u32, hi: u32, kernel: u32): void {
  const double = load<u32>(row + ROW_DTYPE) != 0;
  switch (kernel) {
    case Kernel.RMW: if (double) rmw<f64>(row, lo, hi); else rmw<f32>(row, lo, hi); break;
    case Kernel.SGD: if (double) sgdRow<f64, R, FloatState>(row, lo, hi); else sgdRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.ADAM: if (double) adamRow<f64, R, FloatState>(row, lo, hi); else adamRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.ADAGRAD: if (double) adagradRow<f64, R, FloatState>(row, lo, hi); else adagradRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.RMSPROP: if (double) rmspropRow<f64, R, FloatState>(row, lo, hi); else rmspropRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.ADADELTA: if (double) adadeltaRow<f64, R>(row, lo, hi); else adadeltaRow<f32, R>(row, lo, hi); break;
    case Kernel.ADAMAX: if (double) adamaxRow<f64, R, FloatState>(row, lo, hi); else adamaxRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.NADAM: if (double) nadamRow<f64, R, FloatState>(row, lo, hi); else nadamRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.RADAM: if (double) radamRow<f64, R, FloatState>(row, lo, hi); else radamRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.YOGI: if (double) yogiRow<f64, R, FloatState>(row, lo, hi); else yogiRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.RPROP: if (double) rprop<f64>(row, lo, hi); else rprop<f32>(row, lo, hi); break;
    case Kernel.ASGD: if (double) asgdRow<f64, R>(row, lo, hi); else asgdRow<f32, R>(row, lo, hi); break;
    case Kernel.LION: if (double) lionRow<f64, R, FloatState>(row, lo, hi); else lionRow<f32, R, FloatState>(row, lo, hi); break;
    case Kernel.MATMUL: if (double) matmul<f64>(row, lo, hi); else matmul<f32>(row, lo, hi); break;
    case Kernel.SCHEDULE_FREE: if (double) scheduleFreeRow<f64, R>(row, lo, hi); else scheduleFreeRow<f32, R>(row, lo, hi); break;
    case Kernel.SCHEDULE_FREE_MOVE: if (double) scheduleFreeMove<f64>(row, lo, hi); else scheduleFreeMove<f32>(row, lo, hi); break;
    case Kernel.LAMB: if (double) lambRow<f64, R>(row, lo, hi); else lambRow<f32, R>(row, lo, hi); break;
    case Kernel.LAMB_STEP: if (double) lambStepRow<f64, R>(row, lo, hi); else lambStepRow<f32, R>(row, lo, hi); break;
    case Kernel.PRODIGY: if (double) prodigyRow<f64, R>(row, lo, hi); else prodigyRow<f32, R>(row, lo, hi); break;
    case Kernel.PRODIGY_STEP: if (double) prodigyStepRow<f64, R>(row, lo, hi); else prodigyStepRow<f32, R>(row, lo, hi); break;
    case Kernel.ADAFACTOR: if (double) adafactor<f64>(row, lo, hi); else adafactor<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_STEP: if (double) adafactorStepRow<f64, R>(row, lo, hi); else adafactorStepRow<f32, R>(row, lo, hi); break;
    case Kernel.ADAFACTOR_ROWS: if (double) adafactorRows<f64>(row, lo, hi); else adafactorRows<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_COLS: if (double) adafactorCols<f64>(row, lo, hi); else adafactorCols<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_FACTORED: if (double) adafactorFactored<f64>(row, lo, hi); else adafactorFactored<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_FACTORED_STEP: if (double) adafactorFactoredStepRow<f64, R>(row, lo, hi); else adafactorFactoredStepRow<f32, R>(row, lo, hi); break;
    default: unreachable();
  }
}

// What a row chooses that changes its loop, as type arguments, since AssemblyScript has no
// constant parameters: whether its rare terms are on (memory.ts, rareTerms), and how its
// moments are stored (state.ts). Each kernel below then compiles once per element type and
// choice into a function of its own, with one loop: V8 allocates registers function by
// function (SGD's step ran 12% slower with its usual and rare loops in one), and Binaryen's
// local coalescing, quadratic in a function's size, took minutes on one function holding all.
@final @unmanaged class Usual { @inline get rare(): bool { return false; } }
@final @unmanaged class Rare { @inline get rare(): bool { return true; } }
@final @unmanaged class FloatState { @inline get format(): u32 { return FLOAT; } }
@final @unmanaged class Bfloat16State { @inline get format(): u32 { return BFLOAT16; } }
@final @unmanaged class StochasticState { @inline get format(): u32 { return BFLOAT16_STOCHASTIC; } }

/** A choice's getters, read without an instance. */
@inline function choice<C>(): C {
  return changetype<C>(0);
}

function sgdRow<T, R, F>(row: usize, lo: u32, hi: u32): void { sgd<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function adamRow<T, R, F>(row: usize, lo: u32, hi: u32): void { adam<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function adagradRow<T, R, F>(row: usize, lo: u32, hi: u32): void { adagrad<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function rmspropRow<T, R, F>(row: usize, lo: u32, hi: u32): void { rmsprop<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function adamaxRow<T, R, F>(row: usize, lo: u32, hi: u32): void { adamax<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function nadamRow<T, R, F>(row: usize, lo: u32, hi: u32): void { nadam<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function radamRow<T, R, F>(row: usize, lo: u32, hi: u32): void { radam<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function yogiRow<T, R, F>(row: usize, lo: u32, hi: u32): void { yogi<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function lionRow<T, R, F>(row: usize, lo: u32, hi: u32): void { lion<T>(row, lo, hi, choice<R>().rare, choice<F>().format); }
function adadeltaRow<T, R>(row: usize, lo: u32, hi: u32): void { adadelta<T>(row, lo, hi, choice<R>().rare); }
function asgdRow<T, R>(row: usize, lo: u32, hi: u32): void { asgd<T>(row, lo, hi, choice<R>().rare); }
function scheduleFreeRow<T, R>(row: usize, lo: u32, hi: u32): void { scheduleFree<T>(row, lo, hi, choice<R>().rare); }
function lambRow<T, R>(row: usize, lo: u32, hi: u32): void { lamb<T>(row, lo, hi, choice<R>().rare); }
function lambStepRow<T, R>(row: usize, lo: u32, hi: u32): void { lambStep<T>(row, lo, hi, choice<R>().rare); }
function prodigyRow<T, R>(row: usize, lo: u32, hi: u32): void { prodigy<T>(row, lo, hi, choice<R>().rare); }
function prodigyStepRow<T, R>(row: usize, lo: u32, hi: u32): void { prodigyStep<T>(row, lo, hi, choice<R>().rare); }
function adafactorStepRow<T, R>(row: usize, lo: u32, hi: u32): void { adafactorStep<T>(row, lo, hi, choice<R>().rare); }
function adafactorFactoredStepRow<T, R>(row: usize, lo: u32, hi: u32): void { adafactorFactoredStep<T>(row, lo, hi, choice<R>().rare); }

/**
 * Steps the elements [lo, hi) of a table's element numbering: the part of each row that falls in
 * that range. One thread calls it once with the whole range; threads sharing a step each call it
 * with their chunks.
 */
export function run(table: usize, rows: u32, lo: u32, hi: u32): void {
  // The last row starting at or before lo; rows are in increasing offset order.
  let first: u32 = 0;
  let end = rows;
  while (end - first > 1) {
    const mid = (first + end) >>> 1;
    if (load<u32>(table + <usize>mid * ROW_BYTES + ROW_OFFSET) <= lo) first = mid;
    else end = mid;
  }
  for (let r = first; r < rows; r++) {
    const row = table + <usize>r * ROW_BYTES;
    const offset = load<u32>(row + ROW_OFFSET);
    if (offset >= hi) break;
    const start = lo > offset ? lo - offset : 0;
    const stop = min(hi - offset, load<u32>(row + ROW_LENGTH));
    if (start < stop) runRow(row, start, stop);
  }
}
