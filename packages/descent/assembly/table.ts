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
import { BFLOAT16, BFLOAT16_STOCHASTIC, FLOAT, formatOf } from './state';
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
  if (format == BFLOAT16) bfloat16Row(row, lo, hi, kernel, rare);
  else if (format == BFLOAT16_STOCHASTIC) stochasticRow(row, lo, hi, kernel, rare);
  else if (rare) rareRow(row, lo, hi, kernel);
  else usualRow(row, lo, hi, kernel);
}

/** A float32 row whose moments are bfloat16 (state.ts), rounded to nearest even. */
function bfloat16Row(row: usize, lo: u32, hi: u32, kernel: u32, rare: bool): void {
  if (rare) lowPrecisionRow(row, lo, hi, kernel, true, BFLOAT16);
  else lowPrecisionRow(row, lo, hi, kernel, false, BFLOAT16);
}

/** A float32 row whose moments are bfloat16, rounded stochastically. */
function stochasticRow(row: usize, lo: u32, hi: u32, kernel: u32, rare: bool): void {
  if (rare) lowPrecisionRow(row, lo, hi, kernel, true, BFLOAT16_STOCHASTIC);
  else lowPrecisionRow(row, lo, hi, kernel, false, BFLOAT16_STOCHASTIC);
}

/** The kernels with moments, on float32 parameters with moments stored as `format` says. */
@inline function lowPrecisionRow(row: usize, lo: u32, hi: u32, kernel: u32, rare: bool, format: u32): void {
  switch (kernel) {
    case Kernel.SGD: sgd<f32>(row, lo, hi, rare, format); break;
    case Kernel.ADAM: adam<f32>(row, lo, hi, rare, format); break;
    case Kernel.ADAGRAD: adagrad<f32>(row, lo, hi, rare, format); break;
    case Kernel.LION: lion<f32>(row, lo, hi, rare, format); break;
    case Kernel.ADAMAX: adamax<f32>(row, lo, hi, rare, format); break;
    case Kernel.RMSPROP: rmsprop<f32>(row, lo, hi, rare, format); break;
    case Kernel.NADAM: nadam<f32>(row, lo, hi, rare, format); break;
    case Kernel.RADAM: radam<f32>(row, lo, hi, rare, format); break;
    case Kernel.YOGI: yogi<f32>(row, lo, hi, rare, format); break;
    default: unreachable();
  }
}

// Every kernel's loop twice, in two functions rather than two branches of one: V8 allocates
// registers function by function, and SGD's step ran 12% slower with both loops in one.
function usualRow(row: usize, lo: u32, hi: u32, kernel: u32): void {
  kernelRow(row, lo, hi, kernel, false);
}

function rareRow(row: usize, lo: u32, hi: u32, kernel: u32): void {
  kernelRow(row, lo, hi, kernel, true);
}

/** Runs a row's kernel in its element type. */
@inline function kernelRow(row: usize, lo: u32, hi: u32, kernel: u32, rare: bool): void {
  const double = load<u32>(row + ROW_DTYPE) != 0;
  switch (kernel) {
    case Kernel.RMW: if (double) rmw<f64>(row, lo, hi); else rmw<f32>(row, lo, hi); break;
    case Kernel.SGD: if (double) sgd<f64>(row, lo, hi, rare, FLOAT); else sgd<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.ADAM: if (double) adam<f64>(row, lo, hi, rare, FLOAT); else adam<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.ADAGRAD: if (double) adagrad<f64>(row, lo, hi, rare, FLOAT); else adagrad<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.RMSPROP: if (double) rmsprop<f64>(row, lo, hi, rare, FLOAT); else rmsprop<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.ADADELTA: if (double) adadelta<f64>(row, lo, hi, rare); else adadelta<f32>(row, lo, hi, rare); break;
    case Kernel.ADAMAX: if (double) adamax<f64>(row, lo, hi, rare, FLOAT); else adamax<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.NADAM: if (double) nadam<f64>(row, lo, hi, rare, FLOAT); else nadam<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.RADAM: if (double) radam<f64>(row, lo, hi, rare, FLOAT); else radam<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.YOGI: if (double) yogi<f64>(row, lo, hi, rare, FLOAT); else yogi<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.RPROP: if (double) rprop<f64>(row, lo, hi); else rprop<f32>(row, lo, hi); break;
    case Kernel.ASGD: if (double) asgd<f64>(row, lo, hi, rare); else asgd<f32>(row, lo, hi, rare); break;
    case Kernel.LION: if (double) lion<f64>(row, lo, hi, rare, FLOAT); else lion<f32>(row, lo, hi, rare, FLOAT); break;
    case Kernel.MATMUL: if (double) matmul<f64>(row, lo, hi); else matmul<f32>(row, lo, hi); break;
    case Kernel.SCHEDULE_FREE: if (double) scheduleFree<f64>(row, lo, hi, rare); else scheduleFree<f32>(row, lo, hi, rare); break;
    case Kernel.SCHEDULE_FREE_MOVE: if (double) scheduleFreeMove<f64>(row, lo, hi); else scheduleFreeMove<f32>(row, lo, hi); break;
    case Kernel.LAMB: if (double) lamb<f64>(row, lo, hi, rare); else lamb<f32>(row, lo, hi, rare); break;
    case Kernel.LAMB_STEP: if (double) lambStep<f64>(row, lo, hi, rare); else lambStep<f32>(row, lo, hi, rare); break;
    case Kernel.PRODIGY: if (double) prodigy<f64>(row, lo, hi, rare); else prodigy<f32>(row, lo, hi, rare); break;
    case Kernel.PRODIGY_STEP: if (double) prodigyStep<f64>(row, lo, hi, rare); else prodigyStep<f32>(row, lo, hi, rare); break;
    case Kernel.ADAFACTOR: if (double) adafactor<f64>(row, lo, hi); else adafactor<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_STEP: if (double) adafactorStep<f64>(row, lo, hi, rare); else adafactorStep<f32>(row, lo, hi, rare); break;
    case Kernel.ADAFACTOR_ROWS: if (double) adafactorRows<f64>(row, lo, hi); else adafactorRows<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_COLS: if (double) adafactorCols<f64>(row, lo, hi); else adafactorCols<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_FACTORED: if (double) adafactorFactored<f64>(row, lo, hi); else adafactorFactored<f32>(row, lo, hi); break;
    case Kernel.ADAFACTOR_FACTORED_STEP: if (double) adafactorFactoredStep<f64>(row, lo, hi, rare); else adafactorFactoredStep<f32>(row, lo, hi, rare); break;
    default: unreachable();
  }
}

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
