import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { bfloat16Value } from '../../src/kernels/bfloat16.js';
import { setSimdEnabled } from '../../src/kernels/wasm/batch.js';
import * as optim from '../../src/optim/index.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

type Ctor = new (params: unknown, options?: unknown) => Optimizer<object>;
const cls = (name: string) => (optim as unknown as Record<string, Ctor>)[name];

/** The ten optimizers whose state is moments, with options that use every moment they have. */
export const momentOptimizers: [string, Record<string, unknown>][] = [
  ['SGD', { lr: 0.01, momentum: 0.9 }],
  ['Adagrad', { lr: 0.01, initialAccumulatorValue: 0.1 }],
  ['RMSprop', { lr: 0.01, momentum: 0.5, centered: true }],
  ['Adam', { lr: 0.01, amsgrad: true }],
  ['AdamW', { lr: 0.01 }],
  ['Adamax', { lr: 0.01 }],
  ['NAdam', { lr: 0.01 }],
  ['RAdam', { lr: 0.01 }],
  ['Yogi', { lr: 0.01 }],
  ['Lion', { lr: 0.001 }],
];

function gradients(n: number, t: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + t * 1.3) * (1 + (i % 7)));
}

function run(name: string, options: Record<string, unknown>, n: number, steps: number) {
  const p = param(Float32Array.from({ length: n }, (_, i) => Math.cos(i)));
  const opt = new (cls(name))([p], options);
  for (let t = 0; t < steps; t++) {
    p.grad.set(gradients(n, t));
    opt.step();
  }
  return { p, opt };
}

describe('smoke', () => {
  for (const [name, options] of momentOptimizers) {
    for (const stateDtype of ['bfloat16', 'int8'] as const) {
      it(`${name} ${stateDtype} close to float32`, () => {
        const o = { ...options, stateDtype, min8bitSize: 256 };
        const a = run(name, options, 700, 5);
        const b = run(name, o, 700, 5);
        let worst = 0;
        for (let i = 0; i < 700; i++) worst = Math.max(worst, Math.abs(a.p.data[i] - b.p.data[i]));
        expect(worst).toBeLessThan(0.05);
        expect(b.opt.stateBytes()).toBeLessThan(a.opt.stateBytes());
        const json = JSON.parse(JSON.stringify(b.opt.stateDict()));
        const c = run(name, o, 700, 0);
        c.opt.loadStateDict(json);
        expect(c.opt.stateBytes()).toBe(b.opt.stateBytes());
        void bfloat16Value;
        void setSimdEnabled;
      });
    }
  }
});
