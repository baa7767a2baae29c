import { adadelta } from './adadelta';
import { adagrad } from './adagrad';
import { adam } from './adam';
import { adamax } from './adamax';
import { asgd } from './asgd';
import { ROW_BYTES, ROW_DTYPE, ROW_KERNEL, ROW_LENGTH, ROW_OFFSET } from './memory';
import { nadam } from './nadam';
import { radam } from './radam';
import { rmsprop } from './rmsprop';
import { rmw } from './rmw';
import { rprop } from './rprop';
import { sgd } from './sgd';
import { yogi } from './yogi';

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
}

/** Runs elements [lo, hi) of one row, in its element type. */
function runRow(row: usize, lo: u32, hi: u32): void {
  const double = load<u32>(row + ROW_DTYPE) != 0;
  switch (load<u32>(row + ROW_KERNEL)) {
    case Kernel.RMW: if (double) rmw<f64>(row, lo, hi); else rmw<f32>(row, lo, hi); break;
    case Kernel.SGD: if (double) sgd<f64>(row, lo, hi); else sgd<f32>(row, lo, hi); break;
    case Kernel.ADAM: if (double) adam<f64>(row, lo, hi); else adam<f32>(row, lo, hi); break;
    case Kernel.ADAGRAD: if (double) adagrad<f64>(row, lo, hi); else adagrad<f32>(row, lo, hi); break;
    case Kernel.RMSPROP: if (double) rmsprop<f64>(row, lo, hi); else rmsprop<f32>(row, lo, hi); break;
    case Kernel.ADADELTA: if (double) adadelta<f64>(row, lo, hi); else adadelta<f32>(row, lo, hi); break;
    case Kernel.ADAMAX: if (double) adamax<f64>(row, lo, hi); else adamax<f32>(row, lo, hi); break;
    case Kernel.NADAM: if (double) nadam<f64>(row, lo, hi); else nadam<f32>(row, lo, hi); break;
    case Kernel.RADAM: if (double) radam<f64>(row, lo, hi); else radam<f32>(row, lo, hi); break;
    case Kernel.YOGI: if (double) yogi<f64>(row, lo, hi); else yogi<f32>(row, lo, hi); break;
    case Kernel.RPROP: if (double) rprop<f64>(row, lo, hi); else rprop<f32>(row, lo, hi); break;
    case Kernel.ASGD: if (double) asgd<f64>(row, lo, hi); else asgd<f32>(row, lo, hi); break;
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
