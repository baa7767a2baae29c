// A page's script: one Adam step. `report` is the test's (test/package/package.test.ts runs the
// bundle in a bare vm context); in a browser there is none.
import { Adam, param, simdInfo } from 'descent';

const p = param(4);
p.data.set([1, 2, 3, 4]);
p.grad.set([0.5, -1, 2, 0]);
new Adam([p], { lr: 0.1 }).step();
globalThis.report?.({ adam: Array.from(p.data), info: simdInfo() });
