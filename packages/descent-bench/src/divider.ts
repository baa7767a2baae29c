import { compileC } from './native.js';

/**
 * Adagrad's step in C on one thread (src/adagrad.c), ms per step: with 128-bit vectors
 * (-msse4.2, WebAssembly SIMD's width) and with the machine's own (-march=native); null where
 * the compiler or the flag is missing. One square root and one division per element for 20
 * bytes: on one core the divide unit, not memory, sets the pace of this step and RMSprop's, and
 * this shows what native code of the same vector width makes of it.
 */
export interface AdagradInC {
  elements: number;
  vector128: number | null;
  native: number | null;
}

export function timeAdagradInC(elements: number, reps: number): AdagradInC {
  const time = (flags: string[]) => {
    // Without -fno-math-errno, sqrtf may set errno and the loop is not vectorized.
    const program = compileC('adagrad.c', ['-fno-math-errno', ...flags]);
    if (program === null) return null;
    try {
      return program.run(elements, reps);
    } finally {
      program.close();
    }
  };
  return { elements, vector128: time(['-msse4.2']), native: time(['-march=native']) };
}
