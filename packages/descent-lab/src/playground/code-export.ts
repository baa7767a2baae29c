/** A run as code: the descent (TypeScript) and PyTorch (Python) programs that reproduce it. */
import type { PlaygroundState } from './state.js';

/** Each function as code: f and ∇f in TypeScript over `x`, f in PyTorch (autograd gives ∇f). */
const code: Record<string, { f: string; grad: string[]; torch: string }> = {
  x2: { f: 'x[0] ** 2', grad: ['2 * x[0]'], torch: 'x[0] ** 2' },
  'half-x2': { f: '0.5 * x[0] ** 2', grad: ['x[0]'], torch: '0.5 * x[0] ** 2' },
  'xcos-0.15pi': {
    f: 'x[0] * Math.cos(c * x[0])',
    grad: ['Math.cos(c * x[0]) - c * x[0] * Math.sin(c * x[0])'],
    torch: 'x[0] * torch.cos(c * x[0])',
  },
  'xcos-pi': {
    f: 'x[0] * Math.cos(c * x[0])',
    grad: ['Math.cos(c * x[0]) - c * x[0] * Math.sin(c * x[0])'],
    torch: 'x[0] * torch.cos(c * x[0])',
  },
  'cosh-0.5': {
    f: 'Math.cosh(0.5 * x[0])',
    grad: ['0.5 * Math.sinh(0.5 * x[0])'],
    torch: 'torch.cosh(0.5 * x[0])',
  },
  x3: { f: 'x[0] ** 3', grad: ['3 * x[0] ** 2'], torch: 'x[0] ** 3' },
  tanh: { f: 'Math.tanh(x[0])', grad: ['1 - Math.tanh(x[0]) ** 2'], torch: 'torch.tanh(x[0])' },
  'exp-half': {
    f: 'Math.exp(0.5 * x[0])',
    grad: ['0.5 * Math.exp(0.5 * x[0])'],
    torch: 'torch.exp(0.5 * x[0])',
  },
  'cos-pi': {
    f: 'Math.cos(Math.PI * x[0])',
    grad: ['-Math.PI * Math.sin(Math.PI * x[0])'],
    torch: 'torch.cos(math.pi * x[0])',
  },
  'quad-1-2': {
    f: 'x[0] ** 2 + 2 * x[1] ** 2',
    grad: ['2 * x[0]', '4 * x[1]'],
    torch: 'x[0] ** 2 + 2 * x[1] ** 2',
  },
  'quad-0.1-2': {
    f: '0.1 * x[0] ** 2 + 2 * x[1] ** 2',
    grad: ['0.2 * x[0]', '4 * x[1]'],
    torch: '0.1 * x[0] ** 2 + 2 * x[1] ** 2',
  },
  saddle: {
    f: 'x[0] ** 2 - x[1] ** 2',
    grad: ['2 * x[0]', '-2 * x[1]'],
    torch: 'x[0] ** 2 - x[1] ** 2',
  },
  rosenbrock: {
    f: '(1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2',
    grad: ['-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2)', '200 * (x[1] - x[0] ** 2)'],
    torch: '(1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2',
  },
  beale: {
    f: '(1.5 - x[0] + x[0] * x[1]) ** 2 + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2 + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2',
    grad: [
      '2 * (1.5 - x[0] + x[0] * x[1]) * (x[1] - 1) + 2 * (2.25 - x[0] + x[0] * x[1] ** 2) * (x[1] ** 2 - 1) + 2 * (2.625 - x[0] + x[0] * x[1] ** 3) * (x[1] ** 3 - 1)',
      '2 * (1.5 - x[0] + x[0] * x[1]) * x[0] + 4 * (2.25 - x[0] + x[0] * x[1] ** 2) * x[0] * x[1] + 6 * (2.625 - x[0] + x[0] * x[1] ** 3) * x[0] * x[1] ** 2',
    ],
    torch:
      '(1.5 - x[0] + x[0] * x[1]) ** 2 + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2 + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2',
  },
  himmelblau: {
    f: '(x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2',
    grad: [
      '4 * x[0] * (x[0] ** 2 + x[1] - 11) + 2 * (x[0] + x[1] ** 2 - 7)',
      '2 * (x[0] ** 2 + x[1] - 11) + 4 * x[1] * (x[0] + x[1] ** 2 - 7)',
    ],
    torch: '(x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2',
  },
  rastrigin: {
    f: '20 + x[0] ** 2 - 10 * Math.cos(2 * Math.PI * x[0]) + x[1] ** 2 - 10 * Math.cos(2 * Math.PI * x[1])',
    grad: [
      '2 * x[0] + 20 * Math.PI * Math.sin(2 * Math.PI * x[0])',
      '2 * x[1] + 20 * Math.PI * Math.sin(2 * Math.PI * x[1])',
    ],
    torch:
      '20 + x[0] ** 2 - 10 * torch.cos(2 * math.pi * x[0]) + x[1] ** 2 - 10 * torch.cos(2 * math.pi * x[1])',
  },
  valley: {
    f: '0.05 * x[0] ** 2 + 5 * (x[1] - Math.sin(x[0])) ** 2',
    grad: [
      '0.1 * x[0] - 10 * (x[1] - Math.sin(x[0])) * Math.cos(x[0])',
      '10 * (x[1] - Math.sin(x[0]))',
    ],
    torch: '0.05 * x[0] ** 2 + 5 * (x[1] - torch.sin(x[0])) ** 2',
  },
};

const constants: Record<string, string> = { 'xcos-0.15pi': '0.15 * Math.PI', 'xcos-pi': 'Math.PI' };

/** descent's camelCase options as PyTorch's snake_case keywords. */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const ts = (v: unknown) =>
  Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? `'${v}'` : String(v);
const py = (v: unknown) =>
  Array.isArray(v)
    ? `(${v.join(', ')})`
    : v === null
      ? 'None'
      : typeof v === 'boolean'
        ? v
          ? 'True'
          : 'False'
        : typeof v === 'string'
          ? `'${v}'`
          : String(v);

/** The two programs for run `i` of `state`. */
export function codeSnippets(
  state: PlaygroundState,
  i: number,
): { typescript: string; python: string } {
  const r = state.runs[i];
  const fn = code[state.fn];
  const c = constants[state.fn];
  const options = Object.entries(r.options)
    .map(([k, v]) => `${k}: ${ts(v)}`)
    .join(', ');
  const newton = r.optimizer === 'Newton';
  const imports = ['param', r.optimizer, ...(r.schedule ? [r.schedule.name] : [])];
  const lines = [
    `import { ${imports.join(', ')} } from 'descent';`,
    '',
    ...(c ? [`const c = ${c};`] : []),
    `const f = (x: ArrayLike<number>) => ${fn.f};`,
    `const x = param([${state.start.join(', ')}], { dtype: 'float64' });`,
    `const optimizer = new ${r.optimizer}([x], { ${[options, newton ? 'hessian: () => { throw new Error("write f\'s Hessian here"); }' : ''].filter(Boolean).join(', ')} });`,
    ...(r.schedule
      ? [
          `const schedule = ${r.schedule.name}({ ${Object.entries(r.schedule.options)
            .map(([k, v]) => `${k}: ${ts(v)}`)
            .join(', ')} });`,
        ]
      : []),
    `for (let t = 1; t <= ${state.steps}; t++) {`,
    ...fn.grad.map((g, k) => `  x.grad![${k}] = ${g.replace(/x\[/g, 'x.data[')};`),
    ...(r.noise
      ? [
          '  // plus N(0, σ²) noise on each coordinate, as the page adds it (seeded, src/lab/random.ts)',
        ]
      : []),
    ...(r.schedule ? ['  optimizer.paramGroups[0].lr = schedule(t);'] : []),
    r.optimizer === 'LBFGS' ? '  optimizer.step(() => f(x.data));' : '  optimizer.step();',
    '}',
    'console.log(x.data, f(x.data));',
  ];
  const pyOptions = Object.entries(r.options)
    .map(([k, v]) => `${snake(k)}=${py(v)}`)
    .join(', ');
  const python = [
    'import math',
    'import torch',
    '',
    ...(c ? [`c = ${c.replace('Math.PI', 'math.pi')}`] : []),
    `def f(x):\n    return ${fn.torch}`,
    '',
    `x = torch.tensor([${state.start.map((v) => String(v)).join(', ')}], dtype=torch.float64, requires_grad=True)`,
    `optimizer = torch.optim.${r.optimizer}([x]${pyOptions === '' ? '' : `, ${pyOptions}`})`,
    ...(r.schedule
      ? [
          `# learning rate at step t: descent's ${r.schedule.name}(${JSON.stringify(r.schedule.options)})`,
        ]
      : []),
    `for t in range(1, ${state.steps + 1}):`,
    '    optimizer.zero_grad()',
    '    loss = f(x)',
    '    loss.backward()',
    ...(r.noise
      ? [
          `    x.grad += ${r.noise.sd} * torch.randn(${state.start.length}, dtype=torch.float64)  # another generator than the page's`,
        ]
      : []),
    r.optimizer === 'LBFGS' ? '    optimizer.step(lambda: f(x))' : '    optimizer.step()',
    'print(x.detach().numpy(), f(x).item())',
  ].join('\n');
  return { typescript: lines.join('\n'), python };
}
