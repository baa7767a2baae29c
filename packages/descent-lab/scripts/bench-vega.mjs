// What re-rendering the playground's view with Vega-Lite would cost (node
// packages/descent-lab/scripts/bench-vega.mjs, after the build): the lab's own contour figure
// (src/lab/plot.ts's traceOnContour: Rosenbrock's contour lines and the paths over them, lines and
// a dot per step) with the benchmark's six runs × 1,000 steps (bench-playground.mjs), compiled and
// rendered by Vega in Node, median of 15 renders (Node has no canvas here: SVG is what Vega can
// draw). The playground's Canvas 2D redraw of the same view is bench-playground.mjs's number. A
// benchmark, not a test: it prints numbers and asserts nothing.
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { renderSvg, traceOnContour } from '../dist/lab/plot.js';
import { installTextWidth } from '../dist/lab/text-width.js';
import { functionById } from '../dist/playground/functions.js';
import { run } from '../dist/playground/runs.js';

const fn = functionById('rosenbrock');
const settings = [
  { optimizer: 'SGD', options: { lr: 0.0002, momentum: 0.9 } },
  { optimizer: 'Adam', options: { lr: 0.05 } },
  { optimizer: 'RMSprop', options: { lr: 0.005 } },
  { optimizer: 'Adagrad', options: { lr: 0.5 } },
  { optimizer: 'NAdam', options: { lr: 0.05 } },
  { optimizer: 'Yogi', options: { lr: 0.05 } },
];
const paths = settings.map((s) => {
  const { path } = run(s, fn, fn.start, 1000);
  const points = [];
  for (let i = 0; i < path.length; i += 2) points.push([path[i], path[i + 1]]);
  return { name: s.optimizer, points };
});
const spec = () =>
  traceOnContour({ f: (x1, x2) => fn.f([x1, x2]) }, paths, {
    title: 'Rosenbrock',
    x1: fn.view[0],
    x2: fn.view[1],
  });

const median = async (label, once) => {
  await once();
  await once();
  const times = [];
  for (let k = 0; k < 15; k++) {
    const began = performance.now();
    await once();
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label}: median ${times[7].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[14].toFixed(0)})`,
  );
};

installTextWidth();
// Everything a slider's move would redo: the spec (contours included), compiling, rendering.
await median('Vega-Lite, spec + compile + SVG', () => renderSvg(spec()));
// Only the paths' data changed on a view kept alive: Vega's own incremental update.
const compiled = compile(spec()).spec;
const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
await view.runAsync();
const traces = compiled.data.find(
  (d) => Array.isArray(d.values) && d.values[0]?.series !== undefined,
);
await median("Vega, the paths' data replaced in a live view (scenegraph, no drawing)", async () => {
  await view
    .change(
      traces.name,
      vega
        .changeset()
        .remove(() => true)
        .insert(traces.values.map((r) => ({ ...r }))),
    )
    .runAsync();
});
await median('Vega, the same and the SVG drawn', async () => {
  await view
    .change(
      traces.name,
      vega
        .changeset()
        .remove(() => true)
        .insert(traces.values.map((r) => ({ ...r }))),
    )
    .runAsync();
  await view.toSVG();
});
view.finalize();
