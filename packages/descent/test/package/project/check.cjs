// One Adam step of four elements, then an SGD step shared with a worker thread: what a program
// using descent on Node does. Prints the outcome as JSON for test/package/package.test.ts.
module.exports = async function check(descent) {
  const p = descent.param(4);
  p.data.set([1, 2, 3, 4]);
  p.grad.set([0.5, -1, 2, 0]);
  new descent.Adam([p], { lr: 0.1 }).step();
  const adam = Array.from(p.data);

  descent.configureSimd({ threads: 2, parallelThreshold: 0 });
  const workers = await descent.startThreads();
  const before = descent.simdInfo().parallelSteps;
  const q = descent.param(1 << 17);
  q.data.fill(1);
  q.grad.fill(1);
  new descent.SGD([q], { lr: 0.5 }).step();
  const info = descent.simdInfo();
  return {
    adam,
    wasm: info.available,
    workers,
    sharedSteps: info.parallelSteps - before,
    sgd: q.data.every((x) => x === 0.5),
  };
};
