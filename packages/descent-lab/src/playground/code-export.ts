/**
 * A run as code: the descent (TypeScript) and PyTorch (Python) programs that reproduce it, each
 * complete (the function, its gradient, the start, the optimizer and its options, the schedule,
 * the noise, the loop, the final point printed). The TypeScript program is the page's loop
 * (runs.ts) written out, with the lab's own expressions for f, ∇f and ∇²f, so it prints the page's
 * final point to the last bit; test/playground/code-export.test.ts runs it to check. The Python
 * program uses torch.optim where PyTorch has the optimizer, the reference's own package where
 * descent follows one outside PyTorch (Schedule-Free's schedulefree, Prodigy's prodigyopt), the
 * update written in torch ops otherwise (Newton, Yogi, Lion, LAMB), and LambdaLR with the
 * schedule's formula written out in Python; the test compares the page with the points it
 * printed (scripts/reference/playground_code_export.py).
 */
import { type OptionValue, optimizerSpec, scheduleSpec } from 'descent';
import { type RunSettings, rowMatrix } from './runs.js';
import type { PlaygroundState } from './state.js';

/**
 * Each function as code over `x`: in TypeScript f, the body of ∇f (writing g) and of ∇²f (returning
 * it, row-major), the expressions of the lab's functions (functions.ts, lab/functions.ts) in the
 * same order of operations; in PyTorch f alone, autograd giving ∇f and ∇²f. `ts`/`py` are
 * constants the expressions use.
 */
interface FunctionCode {
  ts?: string;
  py?: string;
  f: string;
  grad: string[];
  hess: string[];
  torch: string;
}

const beale: FunctionCode = {
  f: '(1.5 - x[0] + x[0] * x[1]) ** 2 + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2 + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2',
  grad: [
    'const [a1, a2, a3] = [1.5 - x[0] + x[0] * x[1], 2.25 - x[0] + x[0] * x[1] ** 2, 2.625 - x[0] + x[0] * x[1] ** 3];',
    'g[0] = 2 * a1 * (x[1] - 1) + 2 * a2 * (x[1] ** 2 - 1) + 2 * a3 * (x[1] ** 3 - 1);',
    'g[1] = 2 * a1 * x[0] + 2 * a2 * x[0] * 2 * x[1] + 2 * a3 * x[0] * 3 * x[1] ** 2;',
  ],
  hess: [
    'let [h11, h12, h22] = [0, 0, 0];',
    '[1.5, 2.25, 2.625].forEach((c, k) => {',
    '  const i = k + 1;',
    '  const a = c - x[0] + x[0] * x[1] ** i;',
    '  const [ax, ay] = [x[1] ** i - 1, x[0] * i * x[1] ** (i - 1)];',
    '  h11 += 2 * ax * ax;',
    '  h12 += 2 * (ay * ax + a * i * x[1] ** (i - 1));',
    '  h22 += 2 * (ay * ay + a * x[0] * i * (i - 1) * x[1] ** (i - 2));',
    '});',
    'return [h11, h12, h12, h22];',
  ],
  torch:
    '(1.5 - x[0] + x[0] * x[1]) ** 2 + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2 + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2',
};

const quadratic = (a1: string, a2: string, two1: string, two2: string): FunctionCode => ({
  f: `${a1}x[0] * x[0] ${a2.startsWith('-') ? `- ${a2.slice(1)}` : `+ ${a2}`}x[1] * x[1]`,
  grad: [`g[0] = ${two1} * x[0];`, `g[1] = ${two2} * x[1];`],
  hess: [`return [${two1}, 0, 0, ${two2}];`],
  torch: `${a1}x[0] ** 2 ${a2.startsWith('-') ? `- ${a2.slice(1)}` : `+ ${a2}`}x[1] ** 2`,
});

const xCos = (c: string, cPy: string): FunctionCode => ({
  ts: `const c = ${c};`,
  py: `c = ${cPy}`,
  f: 'x[0] * Math.cos(c * x[0])',
  grad: ['g[0] = Math.cos(c * x[0]) - c * x[0] * Math.sin(c * x[0]);'],
  hess: ['return [-2 * c * Math.sin(c * x[0]) - c * c * x[0] * Math.cos(c * x[0])];'],
  torch: 'x[0] * torch.cos(c * x[0])',
});

const code: Record<string, FunctionCode> = {
  x2: { f: 'x[0] * x[0]', grad: ['g[0] = 2 * x[0];'], hess: ['return [2];'], torch: 'x[0] ** 2' },
  'half-x2': {
    f: '0.5 * x[0] * x[0]',
    grad: ['g[0] = x[0];'],
    hess: ['return [1];'],
    torch: '0.5 * x[0] ** 2',
  },
  'xcos-0.15pi': xCos('0.15 * Math.PI', '0.15 * math.pi'),
  'xcos-pi': xCos('Math.PI', 'math.pi'),
  'cosh-0.5': {
    f: 'Math.cosh(0.5 * x[0])',
    grad: ['g[0] = 0.5 * Math.sinh(0.5 * x[0]);'],
    hess: ['return [0.5 * 0.5 * Math.cosh(0.5 * x[0])];'],
    torch: 'torch.cosh(0.5 * x[0])',
  },
  x3: {
    f: 'x[0] ** 3',
    grad: ['g[0] = 3 * x[0] * x[0];'],
    hess: ['return [6 * x[0]];'],
    torch: 'x[0] ** 3',
  },
  tanh: {
    f: 'Math.tanh(x[0])',
    grad: ['g[0] = 1 - Math.tanh(x[0]) ** 2;'],
    hess: ['return [-2 * Math.tanh(x[0]) * (1 - Math.tanh(x[0]) ** 2)];'],
    torch: 'torch.tanh(x[0])',
  },
  'exp-half': {
    f: 'Math.exp(0.5 * x[0])',
    grad: ['g[0] = 0.5 * Math.exp(0.5 * x[0]);'],
    hess: ['return [0.25 * Math.exp(0.5 * x[0])];'],
    torch: 'torch.exp(0.5 * x[0])',
  },
  'cos-pi': {
    f: 'Math.cos(Math.PI * x[0])',
    grad: ['g[0] = -Math.PI * Math.sin(Math.PI * x[0]);'],
    hess: ['return [-Math.PI * Math.PI * Math.cos(Math.PI * x[0])];'],
    torch: 'torch.cos(math.pi * x[0])',
  },
  'quad-1-2': quadratic('', '2 * ', '2', '4'),
  'quad-0.1-2': quadratic('0.1 * ', '2 * ', '0.2', '4'),
  saddle: quadratic('', '-', '2', '-2'),
  rosenbrock: {
    f: '(1 - x[0]) ** 2 + 100 * (x[1] - x[0] * x[0]) ** 2',
    grad: [
      'g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]);',
      'g[1] = 200 * (x[1] - x[0] * x[0]);',
    ],
    hess: [
      'return [2 - 400 * (x[1] - x[0] * x[0]) + 800 * x[0] * x[0], -400 * x[0], -400 * x[0], 200];',
    ],
    torch: '(1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2',
  },
  beale,
  himmelblau: {
    f: '(x[0] * x[0] + x[1] - 11) ** 2 + (x[0] + x[1] * x[1] - 7) ** 2',
    grad: [
      'g[0] = 4 * x[0] * (x[0] * x[0] + x[1] - 11) + 2 * (x[0] + x[1] * x[1] - 7);',
      'g[1] = 2 * (x[0] * x[0] + x[1] - 11) + 4 * x[1] * (x[0] + x[1] * x[1] - 7);',
    ],
    hess: [
      'const h12 = 4 * x[0] + 4 * x[1];',
      'return [12 * x[0] * x[0] + 4 * x[1] - 42, h12, h12, 4 * x[0] + 12 * x[1] * x[1] - 26];',
    ],
    torch: '(x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2',
  },
  rastrigin: {
    ts: 'const twoPi = 2 * Math.PI;',
    f: '20 + x[0] * x[0] - 10 * Math.cos(twoPi * x[0]) + x[1] * x[1] - 10 * Math.cos(twoPi * x[1])',
    grad: [
      'g[0] = 2 * x[0] + 10 * twoPi * Math.sin(twoPi * x[0]);',
      'g[1] = 2 * x[1] + 10 * twoPi * Math.sin(twoPi * x[1]);',
    ],
    hess: [
      'return [2 + 10 * twoPi * twoPi * Math.cos(twoPi * x[0]), 0, 0, 2 + 10 * twoPi * twoPi * Math.cos(twoPi * x[1])];',
    ],
    torch:
      '20 + x[0] ** 2 - 10 * torch.cos(2 * math.pi * x[0]) + x[1] ** 2 - 10 * torch.cos(2 * math.pi * x[1])',
  },
  valley: {
    f: '0.05 * x[0] * x[0] + 5 * (x[1] - Math.sin(x[0])) ** 2',
    grad: [
      'const r = x[1] - Math.sin(x[0]);',
      'g[0] = 0.1 * x[0] - 10 * r * Math.cos(x[0]);',
      'g[1] = 10 * r;',
    ],
    hess: [
      'const [r, c] = [x[1] - Math.sin(x[0]), Math.cos(x[0])];',
      'return [0.1 + 10 * c * c + 10 * r * Math.sin(x[0]), -10 * c, -10 * c, 10];',
    ],
    torch: '0.05 * x[0] ** 2 + 5 * (x[1] - torch.sin(x[0])) ** 2',
  },
};

const ts = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(ts).join(', ')}]` : typeof v === 'string' ? `'${v}'` : String(v);
const py = (v: unknown): string =>
  Array.isArray(v)
    ? `(${v.map(py).join(', ')})`
    : v === null
      ? 'None'
      : typeof v === 'boolean'
        ? v
          ? 'True'
          : 'False'
        : typeof v === 'string'
          ? `'${v}'`
          : String(v);
/** A Python list (py writes arrays as tuples, PyTorch's pairs). */
const pyList = (v: OptionValue): string => `[${(v as number[]).map(py).join(', ')}]`;

/** The page's noise (lab/random.ts's createRandom), written out: descent exports no generator. */
const noiseTs = (seed: number, stream: string) => [
  "// The page's gradient noise: mulberry32 seeded with seed ^ FNV-1a(stream), normals by Box–Muller",
  '// (descent-lab, src/lab/random.ts).',
  `let state = ${seed} ^ ${JSON.stringify(stream)}`,
  "  .split('')",
  '  .reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 0x01000193), 0x811c9dc5);',
  'state >>>= 0;',
  'const uniform = () => {',
  '  state = (state + 0x6d2b79f5) >>> 0;',
  '  let t = state;',
  '  t = Math.imul(t ^ (t >>> 15), t | 1);',
  '  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);',
  '  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;',
  '};',
  'let spare: number | null = null;',
  'const normal = (): number => {',
  '  if (spare !== null) {',
  '    const value = spare;',
  '    spare = null;',
  '    return value;',
  '  }',
  '  const radius = Math.sqrt(-2 * Math.log(1 - uniform()));',
  '  const angle = 2 * Math.PI * uniform();',
  '  spare = radius * Math.sin(angle);',
  '  return radius * Math.cos(angle);',
  '};',
];

const noisePy = (seed: number, stream: string) => [
  "# The page's gradient noise (descent-lab, src/lab/random.ts): mulberry32 seeded with",
  '# seed ^ FNV-1a(stream), normals by Box–Muller. The same numbers as the page, but where',
  "# Python's math library and the browser's round log, sin or cos differently (a last bit).",
  'def page_noise(seed, stream):',
  '    M = 0xFFFFFFFF',
  '    h = 0x811C9DC5',
  '    for ch in stream:',
  '        h = ((h ^ ord(ch)) * 0x01000193) & M',
  '    state = (seed ^ h) & M',
  '    spare = None',
  '    def uniform():',
  '        nonlocal state',
  '        state = (state + 0x6D2B79F5) & M',
  '        t = ((state ^ (state >> 15)) * (state | 1)) & M',
  '        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & M)) & M',
  '        return ((t ^ (t >> 14)) & M) / 4294967296',
  '    def normal():',
  '        nonlocal spare',
  '        if spare is not None:',
  '            value, spare = spare, None',
  '            return value',
  '        radius = math.sqrt(-2 * math.log(1 - uniform()))',
  '        angle = 2 * math.pi * uniform()',
  '        spare = radius * math.sin(angle)',
  '        return radius * math.cos(angle)',
  '    return normal',
  '',
  '',
  `normal = page_noise(${seed}, ${JSON.stringify(stream)})`,
];

/** descent's curves between two values (pure/schedule.ts's interpolate and between), in Python. */
const pyCurves = [
  'def interpolate(shape, a, b, f):',
  "    if shape == 'linear':",
  '        return (b - a) * f + a',
  "    if shape == 'cosine':",
  '        return b + (a - b) / 2 * (math.cos(math.pi * f) + 1)',
  "    if shape == 'exponential':",
  '        return a * (b / a) ** f',
  "    return b + (a - b) * (1 - math.sqrt(f))  # '1-sqrt'",
  '',
  '',
  'def between(a, b, f, curve):',
  '    """a up to f = 0, b from f = 1 on, the curve in between kept within a and b."""',
  '    if f <= 0:',
  '        return a',
  '    if f >= 1:',
  '        return b',
  '    return min(max(curve(f), min(a, b)), max(a, b))',
  '',
  '',
  'def transition(shape, a, b, f):',
  '    return between(a, b, f, lambda f: interpolate(shape, a, b, f))',
  '',
  '',
];

/** A warmup of W steps from v₀ to s(0) along `shape`, then s counted from 0 (pure/warmup.ts). */
const pyWarmup = (w: OptionValue, init: OptionValue, shape: OptionValue, after: string) =>
  w === 0
    ? `    return ${after}`
    : [
        `    if t < ${w}:`,
        `        return transition(${py(shape)}, ${init}, ${after.replace(/\bt\b/g, '0')}, t / ${w})`,
        `    return ${after.replace(/\bt\b/g, `(t - ${w})`)}`,
      ].join('\n');

/**
 * Each of descent's pure schedules as a Python function `schedule(t)`, its formula written out
 * (its doc comment in packages/descent/src/schedules), with the options filled in; whether it
 * needs the curves above.
 */
const pySchedules: Record<string, (o: Record<string, OptionValue>) => [string[], boolean]> = {
  constantSchedule: (o) => [[`    return ${o.value}`], false],
  linearSchedule: (o) => [
    [`    return transition('linear', ${o.initValue}, ${o.endValue}, t / ${o.steps})`],
    true,
  ],
  polynomialSchedule: (o) => [
    [
      `    return between(${o.initValue}, ${o.endValue}, t / ${o.steps},`,
      `                   lambda f: ${o.endValue} + (${o.initValue} - ${o.endValue}) * (1 - f) ** ${o.power})`,
    ],
    true,
  ],
  exponentialDecay: (o) => [
    [
      `    exponent = ${o.staircase ? `math.floor(t / ${o.transitionSteps})` : `t / ${o.transitionSteps}`}`,
      `    return max(${o.endValue}, ${o.initValue} * ${o.decayRate} ** exponent)`,
    ],
    false,
  ],
  cosineDecay: (o) => [
    [`    return transition('cosine', ${o.initValue}, ${o.endValue}, t / ${o.steps})`],
    true,
  ],
  inverseSqrtDecay: (o) => [
    [`    return ${o.initValue} / math.sqrt(1 + t / ${o.timescale})`],
    false,
  ],
  piecewiseConstant: (o) => [
    [`    return ${pyList(o.values)}[bisect.bisect_right(${pyList(o.boundaries)}, t)]`],
    false,
  ],
  piecewiseInterpolated: (o) => [
    [
      `    values, knots = ${pyList(o.values)}, ${pyList(o.boundaries)}`,
      '    i = bisect.bisect_right(knots, t) - 1',
      '    if i < 0:',
      '        return values[0]',
      '    if i >= len(knots) - 1:',
      '        return values[-1]',
      `    return transition(${py(o.shape)}, values[i], values[i + 1], (t - knots[i]) / (knots[i + 1] - knots[i]))`,
    ],
    true,
  ],
  warmupCosineDecay: (o) => [
    [
      pyWarmup(
        o.warmupSteps,
        o.initValue,
        'linear',
        `transition('cosine', ${o.peakValue}, ${o.endValue}, t / ${(o.totalSteps as number) - (o.warmupSteps as number)})`,
      ),
    ],
    true,
  ],
  warmupStableDecay: (o) => {
    const stable = (o.totalSteps as number) - (o.warmupSteps as number) - (o.decaySteps as number);
    return [
      [
        '    def after(s):  # the stable phase, then the cooldown',
        `        if s < ${stable}:`,
        `            return ${o.peakValue}`,
        `        return transition(${py(o.decayShape)}, ${o.peakValue}, ${o.endValue}, (s - ${stable}) / ${o.decaySteps})`,
        pyWarmup(o.warmupSteps, o.initValue, o.warmupShape, 'after(t)'),
      ],
      true,
    ];
  },
  sgdr: (o) => [
    [
      `    v0, v_end, T0, m, d = ${o.initValue}, ${o.endValue}, ${o.periodSteps}, ${o.periodMultiplier}, ${o.decay}`,
      '    # cycle i lasts T0·m^i steps and starts at s_i = T0·(m^i − 1)/(m − 1) (T0·i when m = 1)',
      '    def start(i):',
      '        if m == 1:',
      '            return T0 * i',
      '        power = m ** i',
      '        return T0 * (power - 1 if power >= 2 else math.expm1(i * math.log1p(m - 1))) / (m - 1)',
      '    def begun(i):  # a start within a few ulps above t counts as reached',
      '        return i <= 0 or start(i) <= t + 8 * sys.float_info.epsilon * t',
      '    i = math.floor(t / T0) if m == 1 else math.floor(math.log1p(t * (m - 1) / T0) / math.log(m))',
      '    if begun(i + 1):',
      '        i += 1',
      '    elif not begun(i):',
      '        i -= 1',
      "    top = transition('linear', v_end, v0, d ** i)",
      "    return transition('cosine', top, v_end, (t - start(i)) / (T0 * m ** i))",
    ],
    true,
  ],
  oneCycle: (o) => {
    const peak = o.peakValue as number;
    const init = (o.initValue as number | undefined) ?? peak / 25;
    const end = (o.endValue as number | undefined) ?? init / 1e4;
    const T = o.totalSteps as number;
    const pct = o.pctStart as number;
    // PyTorch's OneCycleLR phases (pure/cyclic.ts's oneCyclePhases): each ends at a step.
    const phases = o.threePhase
      ? `[(${pct} * ${T} - 1, ${init}, ${peak}), (2 * ${pct} * ${T} - 2, ${peak}, ${init}), (${T} - 1, ${init}, ${end})]`
      : `[(${pct} * ${T} - 1, ${init}, ${peak}), (${T} - 1, ${peak}, ${end})]`;
    return [
      [
        `    phases = ${phases}  # (end step, from, to), as OneCycleLR lays them out`,
        `    s, start, i = min(t, ${T} - 1), 0, 0`,
        '    while i < len(phases) - 1 and s > phases[i][0]:',
        '        start, i = phases[i][0], i + 1',
        '    end, a, b = phases[i]',
        `    return transition(${py(o.shape)}, a, b, (s - start) / (end - start))`,
      ],
      true,
    ];
  },
  squareRootScheduler: (o) => [[`    return ${o.lr} / math.sqrt(1 + t / 1)`], false],
  factorScheduler: (o) => [
    [`    return max(${o.stopFactorLr}, ${o.baseLr} * ${o.factor} ** ((t + 1) / 1))`],
    false,
  ],
  multiFactorScheduler: (o) => [
    [
      `    values = [${o.baseLr}]`,
      `    for _ in ${pyList(o.step)}:`,
      `        values.append(values[-1] * ${o.factor})`,
      '    # the rate after epoch s changes at t = s + 1',
      `    return values[bisect.bisect_right([s + 1 for s in ${pyList(o.step)}], t)]`,
    ],
    false,
  ],
  cosineScheduler: (o) => [
    [
      pyWarmup(
        o.warmupSteps,
        o.warmupBeginLr,
        'linear',
        `transition('cosine', ${o.baseLr}, ${o.finalLr}, t / ${(o.maxUpdate as number) - (o.warmupSteps as number)})`,
      ),
    ],
    true,
  ],
};

/** The schedules the Python program writes out: every pure schedule of descent's that stands alone. */
export const pythonSchedules: readonly string[] = Object.keys(pySchedules);

/** A schedule's options with its spec's defaults filled in (an option without one left out). */
function withDefaults(
  spec: { options: readonly { name: string; default?: unknown }[] },
  options: Record<string, OptionValue>,
): Record<string, OptionValue> {
  const all: Record<string, OptionValue> = {};
  for (const o of spec.options)
    if (o.default !== undefined && o.default !== null) all[o.name] = o.default as OptionValue;
  return { ...all, ...options };
}

/** The two programs for run `i` of `state`. */
export function codeSnippets(
  state: PlaygroundState,
  i: number,
): { typescript: string; python: string } {
  const r = state.runs[i];
  return { typescript: typescript(state, r), python: python(state, r) };
}

function typescript(state: PlaygroundState, r: RunSettings): string {
  const fn = code[state.fn];
  const newton = r.optimizer === 'Newton';
  const lbfgs = r.optimizer === 'LBFGS';
  const scheduleFree = r.optimizer.startsWith('ScheduleFree');
  const imports = [r.optimizer, 'param', ...(r.schedule ? [r.schedule.name] : [])].sort();
  const options = [
    ...Object.entries(r.options).map(([k, v]) => `${k}: ${ts(v)}`),
    ...(newton ? ['hessian: ([p]) => hess(p.data)'] : []),
  ];
  const dim = state.start.length;
  return [
    `import { ${imports.join(', ')} } from 'descent';`,
    '',
    ...(fn.ts ? [fn.ts] : []),
    `const f = (x: ArrayLike<number>) => ${fn.f};`,
    'const grad = (x: ArrayLike<number>, g: Float64Array) => {',
    ...fn.grad.map((l) => `  ${l}`),
    '};',
    ...(newton
      ? [
          '/** ∇²f, row-major: Newton solves with it. */',
          'const hess = (x: ArrayLike<number>): number[] => {',
          ...fn.hess.map((l) => `  ${l}`),
          '};',
        ]
      : []),
    '',
    rowMatrix(r.optimizer)
      ? `const x = param([${state.start.join(', ')}], { dtype: 'float64', shape: [1, ${dim}] }); // Muon takes only matrices`
      : `const x = param([${state.start.join(', ')}], { dtype: 'float64' });`,
    `const optimizer = new ${r.optimizer}([x], { ${options.join(', ')} });`,
    ...(r.schedule
      ? [
          `const schedule = ${r.schedule.name}({ ${Object.entries(r.schedule.options)
            .map(([k, v]) => `${k}: ${ts(v)}`)
            .join(', ')} });`,
        ]
      : []),
    ...(r.noise ? ['', ...noiseTs(r.noise.seed, r.noise.stream)] : []),
    ...(lbfgs
      ? [
          '// L-BFGS evaluates f and ∇f itself, several times a step.',
          'const closure = () => {',
          '  grad(x.data, x.grad as Float64Array);',
          '  return f(x.data);',
          '};',
        ]
      : []),
    '',
    `for (let t = 1; t <= ${state.steps}; t++) {`,
    '  grad(x.data, x.grad as Float64Array);',
    ...(r.noise
      ? [`  for (let i = 0; i < ${dim}; i++) x.grad![i] += ${r.noise.sd} * normal();`]
      : []),
    ...(r.schedule ? ['  optimizer.paramGroups[0].lr = schedule(t);'] : []),
    lbfgs ? '  optimizer.step(closure);' : '  optimizer.step();',
    '  // The page stops a run that diverges.',
    '  if (!Array.from(x.data).every((v) => Math.abs(v) <= 1e12)) break;',
    '}',
    "console.log('x =', JSON.stringify(Array.from(x.data)));",
    "console.log('f =', f(x.data));",
    ...(scheduleFree
      ? [
          '// x holds y, where the gradients were taken: the point the page shows. eval() moves it to',
          "// the average, Schedule-Free's point to evaluate and keep.",
          'optimizer.eval();',
          "console.log('x_eval =', JSON.stringify(Array.from(x.data)));",
          "console.log('f_eval =', f(x.data));",
        ]
      : []),
    '',
  ].join('\n');
}

/** The gradient an update written out starts from: −∇f when the run maximizes. */
const pyGrad = (o: Record<string, OptionValue>) => (o.maximize ? '-x.grad' : 'x.grad');

/**
 * The updates written in torch ops, PyTorch having none of them: descent's formulas (each
 * class's doc comment), step t counting from 1.
 */
const customUpdates: Record<string, (o: Record<string, OptionValue>) => string[]> = {
  Newton: (o) => [
    "        # PyTorch has no Newton method: descent's (Dive into Deep Learning, 12.3.3), solving",
    '        # (H + δI) d = g with the Hessian H from autograd, then x ← x − lr·d.',
    '        g = x.grad.clone()',
    '        H = torch.autograd.functional.hessian(f, x.detach())',
    ...(o.maximize ? ['        g, H = -g, -H  # maximize: the method minimizes −f'] : []),
    ...(o.absoluteEigenvalues
      ? [
          "        L, V = torch.linalg.eigh(H)  # the book's remedy: |eigenvalues|",
          '        H = V @ torch.diag(L.abs()) @ V.T',
        ]
      : []),
    `        d = torch.linalg.solve(H + ${o.damping} * torch.eye(len(x), dtype=torch.float64), g)`,
    '        x -= lr * d',
  ],
  Yogi: (o) => {
    const [beta1, beta2] = o.betas as number[];
    return [
      "        # PyTorch has no Yogi: descent's (Dive into Deep Learning, 12.10; Zaheer et al. 2018),",
      '        # Adam whose second moment s moves towards g² by a step of fixed size (1 − β₂)g².',
      `        g = ${pyGrad(o)} + ${o.weightDecay} * x`,
      `        v = ${beta1} * v + (1 - ${beta1}) * g`,
      `        s = s + (1 - ${beta2}) * torch.sign(g * g - s) * (g * g)`,
      `        x -= lr * (v / (1 - ${beta1} ** t)) / (torch.sqrt(s / (1 - ${beta2} ** t)) + ${o.eps})`,
    ];
  },
  Lion: (o) => {
    const [beta1, beta2] = o.betas as number[];
    return [
      "        # PyTorch has no Lion: descent's (Chen et al. 2023, Algorithm 2), every coordinate",
      '        # stepping by ±lr along the sign of a blend of the momentum m and the gradient.',
      `        g = ${pyGrad(o)}`,
      `        c = ${beta1} * m + (1 - ${beta1}) * g`,
      `        x *= 1 - lr * ${o.weightDecay}  # decoupled weight decay, before the step`,
      '        x -= lr * torch.sign(c)',
      `        m = ${beta2} * m + (1 - ${beta2}) * g`,
    ];
  },
  LAMB: (o) => {
    const [beta1, beta2] = o.betas as number[];
    return [
      "        # PyTorch has no LAMB: descent's (You et al. 2020, as Optax's optax.lamb), Adam's",
      '        # update plus weight decay, scaled by the trust ratio ‖x‖ / ‖u‖ (1 where a norm is 0).',
      `        g = ${pyGrad(o)}`,
      `        m = ${beta1} * m + (1 - ${beta1}) * g`,
      `        v = ${beta2} * v + (1 - ${beta2}) * g * g`,
      `        u = m / (1 - ${beta1} ** t) / (torch.sqrt(v / (1 - ${beta2} ** t) + ${o.epsRoot}) + ${o.eps}) + ${o.weightDecay} * x`,
      '        x_norm, u_norm = torch.linalg.norm(x), torch.linalg.norm(u)',
      '        ratio = x_norm / u_norm if x_norm > 0 and u_norm > 0 else 1',
      '        x -= lr * ratio * u',
    ];
  },
};

/** The state each update written out keeps, zero at the start. */
const customState: Record<string, string[]> = {
  Yogi: ['v = torch.zeros_like(x)  # first moment', 's = torch.zeros_like(x)  # second moment'],
  Lion: ['m = torch.zeros_like(x)  # momentum'],
  LAMB: ['m = torch.zeros_like(x)  # first moment', 'v = torch.zeros_like(x)  # second moment'],
};

/**
 * The optimizers PyTorch's torch.optim lacks (or older PyTorch lacks) that a package has: the
 * class to import, and the comment that opens the program saying what it needs.
 */
const pyPackages: Record<string, { from?: string; name: string; needs: string }> = {
  Muon: {
    name: 'torch.optim.Muon',
    needs: '# Needs PyTorch 2.9+ (torch.optim.Muon came in 2.9).',
  },
  Adafactor: {
    name: 'torch.optim.Adafactor',
    needs: '# Needs PyTorch 2.5+ (torch.optim.Adafactor came in 2.5).',
  },
  ScheduleFreeAdamW: {
    from: 'schedulefree',
    name: 'AdamWScheduleFree',
    needs: "# Needs the schedulefree package (pip install schedulefree), Schedule-Free's authors'.",
  },
  ScheduleFreeSGD: {
    from: 'schedulefree',
    name: 'SGDScheduleFree',
    needs: "# Needs the schedulefree package (pip install schedulefree), Schedule-Free's authors'.",
  },
  Prodigy: {
    from: 'prodigyopt',
    name: 'Prodigy',
    needs: "# Needs the prodigyopt package (pip install prodigyopt), Prodigy's authors'.",
  },
};

/** bitsandbytes' 8-bit class of each optimizer that takes stateDtype, where it has one. */
const bnb8bit: Record<string, string> = {
  SGD: 'SGD8bit',
  Adagrad: 'Adagrad8bit',
  RMSprop: 'RMSprop8bit',
  Adam: 'Adam8bit',
  AdamW: 'AdamW8bit',
  Lion: 'Lion8bit',
};

/**
 * What a run's stateDtype means for the Python program, as comment lines (none without one).
 * PyTorch has no such option: torch.optim keeps the moments in the parameter's dtype, float64
 * here. Int8 state of a tensor below min8bitSize stays in that dtype in descent as in
 * bitsandbytes (its min_8bit_size), so there the program is exact; otherwise it says that its
 * path differs from the page's by the rounding, and names bitsandbytes' 8-bit optimizer.
 */
function stateDtypeNote(o: Record<string, OptionValue>, name: string, size: number): string[] {
  const dtype = o.stateDtype;
  if (dtype === undefined || dtype === null) return [];
  const elements = `x has ${size} element${size === 1 ? '' : 's'}`;
  if (dtype === 'int8') {
    const min = o.min8bitSize as number;
    if (size < min) {
      return [
        `# stateDtype 'int8' changes nothing here: ${elements}, fewer than min8bitSize (${min}),`,
        "# so descent keeps its moments in x's float64, as this program does (bitsandbytes' 8-bit",
        '# optimizers likewise keep a tensor below their min_8bit_size in 32-bit state).',
      ];
    }
    const bnb = bnb8bit[name];
    return [
      `# The page keeps the moments in 8-bit blocks (stateDtype 'int8', min8bitSize ${min}; ${elements}),`,
      "# as bitsandbytes quantizes them. PyTorch has no 8-bit state: this program keeps them in x's",
      "# float64, so its path differs from the page's by the quantization error.",
      ...(bnb === undefined
        ? [`# bitsandbytes has no 8-bit ${name}.`]
        : [
            `# bitsandbytes' own: bnb.optim.${bnb}(params, ..., min_8bit_size=${min}), on float32 or`,
            '# 16-bit parameters (its 8-bit kernels take no float64).',
          ]),
    ];
  }
  const rounding =
    dtype !== 'bfloat16'
      ? ''
      : o.stochasticRounding
        ? `, rounded stochastically with seed ${o.seed}`
        : ', rounded to nearest even';
  return [
    `# The page stores the moments in ${dtype} (stateDtype '${dtype}'${rounding}).`,
    "# PyTorch has no such option: its optimizers keep them in the parameter's dtype, float64",
    "# here, and so does this program: its path differs from the page's by that rounding.",
  ];
}

function python(state: PlaygroundState, r: RunSettings): string {
  const fn = code[state.fn];
  const spec = optimizerSpec(r.optimizer);
  const custom = customUpdates[r.optimizer];
  const lbfgs = r.optimizer === 'LBFGS';
  const imports = new Set(['math', 'torch']);
  let scheduleLines: string[] = [];
  if (r.schedule !== undefined) {
    const write = pySchedules[r.schedule.name];
    if (write === undefined)
      throw new RangeError(`No Python formula for schedule ${r.schedule.name}`);
    const [body, curves] = write(withDefaults(scheduleSpec(r.schedule.name), r.schedule.options));
    scheduleLines = [
      ...(curves ? pyCurves : []),
      'def schedule(t):',
      `    """descent's ${r.schedule.name}(${JSON.stringify(r.schedule.options)}): the rate of step t."""`,
      ...body,
      '',
      '',
    ];
    for (const module of ['bisect', 'sys'])
      if (scheduleLines.some((l) => l.includes(`${module}.`))) imports.add(module);
  }
  const pkg = pyPackages[r.optimizer];
  const scheduleFree = r.optimizer.startsWith('ScheduleFree');
  const lines = [
    ...(pkg ? [pkg.needs] : []),
    ...[...imports].sort().map((m) => `import ${m}`),
    ...(pkg?.from ? [`from ${pkg.from} import ${pkg.name}`] : []),
    '',
    '',
  ];
  if (fn.py) lines.push(fn.py, '');
  const matrix = rowMatrix(r.optimizer);
  lines.push(
    'def f(x):',
    ...(matrix ? ['    x = x.reshape(-1)  # x is a 1 × n matrix (below)'] : []),
    `    return ${fn.torch}`,
    '',
    '',
  );
  lines.push(...scheduleLines);
  if (r.noise) lines.push(...noisePy(r.noise.seed, r.noise.stream));
  lines.push(
    matrix
      ? `x = torch.tensor([[${state.start.map(py).join(', ')}]], dtype=torch.float64, requires_grad=True)  # Muon takes only matrices: a 1 × n one`
      : `x = torch.tensor([${state.start.map(py).join(', ')}], dtype=torch.float64, requires_grad=True)`,
  );
  const all = withDefaults(spec, r.options);
  lines.push(...stateDtypeNote(all, r.optimizer, state.start.length));
  if (custom !== undefined) {
    lines.push(`lr = ${all.lr}`, ...(customState[r.optimizer] ?? []));
  } else {
    // PyTorch's keyword for each option set, but those PyTorch has no keyword for (AdamW's
    // decoupledWeightDecay: it is what AdamW is) and defaults (which older PyTorch may lack).
    const keywords = spec.options
      .filter(
        (o) =>
          typeof o.reference === 'string' &&
          r.options[o.name] !== undefined &&
          (o.name === 'lr' || JSON.stringify(r.options[o.name]) !== JSON.stringify(o.default)),
      )
      .map((o) =>
        o.name === 'lr' && r.schedule !== undefined
          ? 'lr=1.0'
          : `${o.reference}=${py(r.options[o.name])}`,
      );
    if (r.schedule !== undefined && !keywords.includes('lr=1.0')) keywords.unshift('lr=1.0');
    lines.push(
      `optimizer = ${pkg?.name ?? `torch.optim.${r.optimizer}`}([x]${keywords.map((k) => `, ${k}`).join('')})`,
    );
    if (scheduleFree)
      lines.push(
        'optimizer.train()  # the reference starts in eval mode and steps only in train mode',
      );
    if (r.schedule !== undefined)
      lines.push(
        '# The rate of step t is schedule(t) (t from 1): LambdaLR multiplies lr = 1 by it, its',
        '# counter e = t − 1 going up by one at each scheduler.step().',
        'scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: schedule(e + 1))',
      );
    if (lbfgs)
      lines.push(
        '',
        '',
        'def closure():  # L-BFGS evaluates f and ∇f itself, several times a step',
        '    optimizer.zero_grad()',
        '    loss = f(x)',
        '    loss.backward()',
        '    return loss',
      );
  }
  lines.push('', '');
  lines.push(`for t in range(1, ${state.steps + 1}):`);
  if (custom === undefined) lines.push('    optimizer.zero_grad()');
  else lines.push('    x.grad = None');
  lines.push('    f(x).backward()');
  if (r.noise) {
    if (lbfgs)
      lines.push(
        "    # The page draws noise here, but L-BFGS's closure recomputes the gradient without it.",
      );
    lines.push(
      `    x.grad += ${r.noise.sd} * torch.tensor([normal() for _ in range(${state.start.length})], dtype=torch.float64)`,
    );
  }
  if (custom !== undefined) {
    if (r.schedule !== undefined) lines.push('    lr = schedule(t)');
    lines.push('    with torch.no_grad():', ...custom(all));
  } else {
    lines.push(lbfgs ? '    optimizer.step(closure)' : '    optimizer.step()');
    if (r.schedule !== undefined) lines.push('    scheduler.step()');
  }
  lines.push(
    '    if not bool(torch.all(x.abs() <= 1e12)):  # the page stops a run that diverges',
    '        break',
    matrix ? "print('x =', x.reshape(-1).tolist())" : "print('x =', x.tolist())",
    "print('f =', f(x).item())",
  );
  if (scheduleFree)
    lines.push(
      '# x holds y, where the gradients were taken: the point the page shows. eval() moves it to',
      "# the average, Schedule-Free's point to evaluate and keep.",
      'optimizer.eval()',
      "print('x_eval =', x.tolist())",
      "print('f_eval =', f(x).item())",
    );
  lines.push('');
  return lines.join('\n');
}
