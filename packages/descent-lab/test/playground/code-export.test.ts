import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OptionValue, scheduleSpecs } from 'descent';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { codeSnippets, pythonSchedules } from '../../src/playground/code-export.js';
import { functionById, functions } from '../../src/playground/functions.js';
import { run } from '../../src/playground/runs.js';
import type { PlaygroundState } from '../../src/playground/state.js';
import { cases, notRunByPython } from './code-export-cases.js';

/**
 * The exported programs reproduce the page. The TypeScript one is type checked (strict, as a
 * user's module importing descent) and run with Node against descent's sources: it prints the
 * final point the page's own loop (runs.ts) computes, to the last bit. The Python one was run
 * with PyTorch by scripts/reference/playground_code_export.py, which recorded the program and
 * the point it printed; here the program must still be the one exported today, and its point
 * the page's to PyTorch's float64 agreement. The programs that Python could not run (Adafactor
 * needs PyTorch 2.5, Schedule-Free and Prodigy a package from PyPI; notRunByPython) are checked
 * here for what they import and pass instead.
 */

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'descent-code-export-'));
writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The final point of the page's run of a state's first run. */
function pageFinal(state: PlaygroundState): number[] {
  const result = run(state.runs[0], functionById(state.fn), state.start, state.steps);
  return [...result.path.subarray(result.steps * state.start.length)];
}

/** The numbers a program printed after `x = [`. */
function printedPoint(output: string): number[] {
  const line = /^x = \[(.*)\]$/m.exec(output);
  if (line === null) throw new Error(`no "x = [...]" in the output:\n${output}`);
  return line[1].split(',').map(Number);
}

const ids = Object.keys(cases);
const files = ids.map((id) => {
  const file = join(dir, `${id}.ts`);
  writeFileSync(file, codeSnippets(cases[id], 0).typescript);
  return file;
});

describe('the exported TypeScript program', () => {
  it('type checks under strict, importing descent as a user does', () => {
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      paths: { descent: [join(root, 'packages/descent/src/index.ts')] },
    });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(errors).toEqual([]);
  });

  it('prints the page’s final point, to the last bit, for every case', async () => {
    expect(ids.length).toBeGreaterThanOrEqual(30);
    for (const [k, id] of ids.entries()) {
      const out = join(dir, `${id}.mjs`);
      await build({
        entryPoints: [files[k]],
        bundle: true,
        format: 'esm',
        platform: 'node',
        conditions: ['descent-source'],
        outfile: out,
        logLevel: 'warning',
      });
      const output = execFileSync(process.execPath, [out], { encoding: 'utf8' });
      const page = pageFinal(cases[id]);
      expect(printedPoint(output), id).toEqual(page);
      expect(Number(/^f = (.*)$/m.exec(output)?.[1]), id).toBe(functionById(cases[id].fn).f(page));
    }
  });

  it('is written for every function and adds the noise only when the run has some', () => {
    const noisy = codeSnippets(cases['sgd-noise-schedule'], 0);
    expect(noisy.typescript).toContain('normal()');
    expect(noisy.python).toContain('normal = page_noise(3, "sgd-noise")');
    expect(codeSnippets(cases.adam, 0).typescript).not.toContain('normal');
    for (const fn of functions) {
      const state = { ...cases.adam, fn: fn.id, start: fn.start };
      expect(() => codeSnippets(state, 0), fn.id).not.toThrow();
    }
  });
});

interface TorchFixture {
  torch: string;
  cases: Record<string, { python: string; x: number[] }>;
}
const fixture = JSON.parse(
  readFileSync(join(root, 'packages/descent-lab/test/playground/code-export-torch.json'), 'utf8'),
) as TorchFixture;

/**
 * Where the PyTorch that ran the programs is known to differ from the PyTorch 2.x they are written
 * for: there the recorded point must differ from the page's (so that a fixture regenerated with
 * PyTorch 2 has to agree).
 */
const knownDeviations: Record<string, string> = fixture.torch.startsWith('1.')
  ? {
      nadam:
        'PyTorch 1.13 NAdam weighs the first moment by 1 − mu_product·mu_t·mu_{t+1}, counting mu_t twice (fixed in pytorch/pytorch#92699)',
    }
  : {};

const ran = ids.filter((id) => notRunByPython[id] === undefined);

describe('the exported PyTorch program', () => {
  it('is the one PyTorch ran, for every case it could run', () => {
    expect(Object.keys(fixture.cases).sort()).toEqual([...ran].sort());
    for (const id of ran)
      expect(codeSnippets(cases[id], 0).python, id).toBe(fixture.cases[id].python);
  });

  it('printed the page’s final point, to PyTorch’s float64 agreement', () => {
    for (const id of ran) {
      const page = pageFinal(cases[id]);
      const torch = fixture.cases[id].x;
      expect(torch.length, id).toBe(page.length);
      if (knownDeviations[id] !== undefined) {
        const gap = Math.max(...page.map((v, i) => Math.abs(torch[i] - v)));
        expect(gap, knownDeviations[id]).toBeGreaterThan(1e-4);
        continue;
      }
      page.forEach((v, i) => {
        expect(
          Math.abs(torch[i] - v),
          `${id}[${i}]: torch ${torch[i]}, page ${v}`,
        ).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(v)));
      });
    }
  });

  it('writes out every schedule that stands alone, and names torch.optim classes that exist', () => {
    const alone = scheduleSpecs.filter((s) => !s.takesSchedule).map((s) => s.name);
    expect([...pythonSchedules].sort()).toEqual(alone.sort());
    for (const id of ids) {
      const python = codeSnippets(cases[id], 0).python;
      expect(python, id).not.toMatch(
        /torch\.optim\.(Yogi|Newton|Lion|LAMB|ScheduleFree\w*|Prodigy)\b/,
      );
    }
  });

  // Not run (notRunByPython): the fixture's PyTorch 1.13 has no Adafactor nor Muon, and without PyPI
  // neither schedulefree nor prodigyopt can be installed. So: the package named on the first line
  // and imported, the class built with the reference's keyword for each option set, and, for
  // Schedule-Free, train() before the loop and eval() before the evaluation point is printed.
  const structural: Record<string, { needs: RegExp; builds: string; keywords: string[] }> = {
    muon: {
      needs: /^# Needs PyTorch 2\.9\+/,
      builds: 'optimizer = torch.optim.Muon([x], ',
      keywords: [
        'lr=0.05',
        'weight_decay=0.01',
        'momentum=0.9',
        'ns_coefficients=(3, -3.2, 1.2)',
        'ns_steps=3',
        "adjust_lr_fn='match_rms_adamw'",
      ],
    },
    adafactor: {
      needs: /^# Needs PyTorch 2\.5\+/,
      builds: 'optimizer = torch.optim.Adafactor([x], ',
      keywords: ['lr=0.05', 'beta2_decay=-0.5', 'weight_decay=0.01'],
    },
    'schedule-free-adamw': {
      needs: /^# Needs the schedulefree package \(pip install schedulefree\)/,
      builds: 'from schedulefree import AdamWScheduleFree\n',
      keywords: ['lr=0.02', 'betas=(0.9, 0.99)', 'warmup_steps=20', 'weight_decay=0.01'],
    },
    'schedule-free-sgd': {
      needs: /^# Needs the schedulefree package \(pip install schedulefree\)/,
      builds: 'from schedulefree import SGDScheduleFree\n',
      keywords: ['lr=0.1', 'momentum=0.8', 'r=0.5', 'weight_lr_power=1'],
    },
    prodigy: {
      needs: /^# Needs the prodigyopt package \(pip install prodigyopt\)/,
      builds: 'from prodigyopt import Prodigy\n',
      keywords: [
        'lr=1',
        'd0=0.0001',
        'growth_rate=1.05',
        'use_bias_correction=True',
        'weight_decay=0.01',
      ],
    },
  };

  it('names the package it needs and passes every option set, where it could not be run', () => {
    expect(Object.keys(structural).sort()).toEqual(Object.keys(notRunByPython).sort());
    for (const [id, { needs, builds, keywords }] of Object.entries(structural)) {
      const python = codeSnippets(cases[id], 0).python;
      expect(python, id).toMatch(needs);
      expect(python, id).toContain(builds);
      const call = /^optimizer = \w+(?:\.\w+)*\(\[x\], (.*)\)$/m.exec(python)?.[1];
      expect(call, id).toBeDefined();
      for (const keyword of keywords) expect(`, ${call}`, id).toContain(`, ${keyword}`);
    }
  });

  it('trains Schedule-Free at y and prints the page’s y, then its evaluation point x', () => {
    for (const id of ['schedule-free-adamw', 'schedule-free-sgd']) {
      const python = codeSnippets(cases[id], 0).python;
      const typescript = codeSnippets(cases[id], 0).typescript;
      const order = [
        'optimizer.train()',
        'for t in range(',
        "print('x =',",
        'optimizer.eval()',
        "print('x_eval =',",
      ];
      const at = order.map((s) => python.indexOf(s));
      expect(
        at.every((i) => i >= 0),
        `${id}: ${at}`,
      ).toBe(true);
      expect(
        [...at].sort((a, b) => a - b),
        id,
      ).toEqual(at);
      const tsAt = ["console.log('x =',", 'optimizer.eval();', "console.log('x_eval ='"].map((s) =>
        typescript.indexOf(s),
      );
      expect(tsAt.every((i) => i >= 0) && tsAt[0] < tsAt[1] && tsAt[1] < tsAt[2], id).toBe(true);
    }
  });
});

describe('the exported PyTorch program and stateDtype, which PyTorch has not', () => {
  const withState = (optimizer: string, options: Record<string, OptionValue>): PlaygroundState => ({
    ...cases.adam,
    steps: 200,
    runs: [{ optimizer, options: { lr: 0.05, ...options } }],
  });
  const comments = (python: string) => python.split('\n').filter((l) => l.startsWith('# '));
  const code = (python: string) => python.split('\n').filter((l) => !l.startsWith('# '));

  it('says int8 state changes nothing below min8bitSize, where the page’s run is the float64 one', () => {
    const plain = withState('Adam', {});
    const int8 = withState('Adam', { stateDtype: 'int8' });
    // The claim the comment makes, checked on the page: the same path to the last bit.
    expect(pageFinal(int8)).toEqual(pageFinal(plain));
    const python = codeSnippets(int8, 0).python;
    expect(comments(python).join('\n')).toMatch(
      /^# stateDtype 'int8' changes nothing here: x has 2 elements, fewer than min8bitSize \(4096\),/,
    );
    expect(code(python)).toEqual(code(codeSnippets(plain, 0).python));
    expect(codeSnippets(int8, 0).typescript).toContain("stateDtype: 'int8'");
  });

  it('names bitsandbytes’ 8-bit optimizer where the page quantizes, and says the paths differ', () => {
    const int8 = withState('Adam', { stateDtype: 'int8', min8bitSize: 1 });
    expect(pageFinal(int8)).not.toEqual(pageFinal(withState('Adam', {})));
    const note = comments(codeSnippets(int8, 0).python).join('\n');
    expect(note).toContain(
      "# The page keeps the moments in 8-bit blocks (stateDtype 'int8', min8bitSize 1;",
    );
    expect(note).toContain("differs from the page's by the quantization error");
    expect(note).toContain('bnb.optim.Adam8bit(params, ..., min_8bit_size=1)');
    for (const [optimizer, named] of [
      ['SGD', 'bnb.optim.SGD8bit('],
      ['Lion', 'bnb.optim.Lion8bit('],
      ['NAdam', 'bitsandbytes has no 8-bit NAdam.'],
      ['Yogi', 'bitsandbytes has no 8-bit Yogi.'],
    ]) {
      const state = withState(optimizer, { stateDtype: 'int8', min8bitSize: 2 });
      expect(comments(codeSnippets(state, 0).python).join('\n'), optimizer).toContain(named);
    }
  });

  it('says bfloat16 and float32 state round where torch.optim keeps float64', () => {
    const plain = pageFinal(withState('SGD', { momentum: 0.9 }));
    for (const [options, says] of [
      [{ stateDtype: 'bfloat16' }, "(stateDtype 'bfloat16', rounded to nearest even)"],
      [
        { stateDtype: 'bfloat16', stochasticRounding: true, seed: 3 },
        "(stateDtype 'bfloat16', rounded stochastically with seed 3)",
      ],
      [{ stateDtype: 'float32' }, "(stateDtype 'float32')."],
    ] as const) {
      const state = withState('SGD', { momentum: 0.9, ...options });
      expect(pageFinal(state), says).not.toEqual(plain);
      const python = codeSnippets(state, 0).python;
      expect(comments(python).join('\n'), says).toContain(
        `# The page stores the moments in ${options.stateDtype} ${says}`,
      );
      expect(python).toContain('optimizer = torch.optim.SGD([x], lr=0.05, momentum=0.9)\n');
    }
  });
});
