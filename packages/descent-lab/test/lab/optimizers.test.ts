import { optimizerSpec, optimizerSpecs } from 'descent';
import { describe, expect, it } from 'vitest';
import { resolveComparison } from '../../src/lab/compare.js';
import { optimizerNames, optimizerOptions, parseSettings } from '../../src/lab/optimizers.js';

/** The lab's optimizers read descent's specs: their names, the options --set takes, their types. */

describe('the optimizers of the lab and of descent compare', () => {
  it('are the book’s and every optimizer descent lists that a gradient loop can drive', () => {
    const names = optimizerNames();
    expect(names.slice(0, 7)).toEqual([
      'sgd',
      'momentum',
      'adagrad',
      'rmsprop',
      'adadelta',
      'adam',
      'yogi',
    ]);
    const drivable = optimizerSpecs.filter(
      (s) => !s.needsClosure && !s.options.some((o) => o.type === 'function'),
    );
    expect(drivable.length).toBe(optimizerSpecs.length - 2);
    for (const spec of drivable) expect(names).toContain(spec.name.toLowerCase());
    expect(names).not.toContain('lbfgs');
    expect(names).not.toContain('newton');
  });

  it('list each option with the value a run starts from: the book’s, else the spec’s default', () => {
    const listed = new Map(optimizerOptions().map((o) => [o.name, o]));
    expect([...listed.keys()]).toEqual(optimizerNames());
    const adam = listed.get('adam')!;
    expect(adam.className).toBe('Adam');
    expect(adam.options.map((o) => o.split(' ')[0])).toEqual(
      optimizerSpec('Adam').options.map((o) => o.name),
    );
    // The book's lr and ε, the spec's betas and the rest.
    expect(adam.options.slice(0, 3)).toEqual(['lr 0.01', 'betas 0.9,0.999', 'eps 1e-6']);
    expect(listed.get('adamw')!.options).toContain('weightDecay 0.01');
  });
});

describe('--set', () => {
  it('parses each option by its type, for every optimizer that takes it or the one named', () => {
    const settings = parseSettings(
      ['adam', 'momentum', 'rprop'],
      [
        'betas=0.8,0.99',
        'momentum.momentum=0.5',
        'weight-decay=1e-4',
        'amsgrad=true',
        'etas=0.4,1.5',
      ],
    );
    expect(settings).toEqual([
      { betas: [0.8, 0.99], weightDecay: 1e-4, amsgrad: true },
      { momentum: 0.5, weightDecay: 1e-4 },
      { etas: [0.4, 1.5] },
    ]);
    // Over the book's settings and --lr, and checked by the optimizer as any option is.
    const [adam, sgd] = resolveComparison({
      optimizers: ['adam', 'sgd'],
      lr: [0.02],
      set: ['eps=1e-7', 'sgd.lr=0.03'],
    });
    expect(adam.settings).toEqual({ lr: 0.02, eps: 1e-7 });
    expect(sgd.settings).toEqual({ lr: 0.03 });
    expect(() => resolveComparison({ optimizers: ['adam'], set: ['betas=0.9,1'] })).toThrow(
      /^Invalid beta parameter at index 1 \(betas\[1\]\): 1 \(expected in \[0, 1\)\)$/,
    );
    expect(() =>
      resolveComparison({ optimizers: ['adamw'], set: ['decoupledWeightDecay=false'] }),
    ).toThrow(
      /^Invalid decoupledWeightDecay: false \(AdamW always decouples weight decay; use Adam\)$/,
    );
  });

  it.each([
    [
      ['adam'],
      'betaz=0.9',
      RangeError,
      /^Unknown option for --set: betaz \(did you mean betas\? Adam takes lr, betas, eps,/,
    ],
    [
      ['sgd'],
      'adam.eps=1e-6',
      RangeError,
      /^Invalid --set adam\.eps=1e-6: adam is none of the optimizers compared \(sgd\)$/,
    ],
    [
      ['adam', 'sgd'],
      'sgd.betas=0.9,0.9',
      RangeError,
      /^Unknown option for --set: betas \(SGD takes lr, momentum,/,
    ],
    [['adam'], 'eps', RangeError, /^Invalid --set: "eps" \(expected option=value/],
    [['adam'], 'eps=small', TypeError, /^Invalid --set eps=small: "small" \(expected a number\)$/],
    [
      ['adam'],
      'betas=0.9,',
      TypeError,
      /^Invalid --set betas=0\.9,: "0\.9," \(expected a number\)$/,
    ],
    [['adam'], 'amsgrad=1', TypeError, /^Invalid --set amsgrad=1: "1" \(expected true or false\)$/],
  ])('%j with %s: refused, naming it', (optimizers, setting, type, message) => {
    expect(() => parseSettings(optimizers, [setting])).toThrow(type);
    expect(() => parseSettings(optimizers, [setting])).toThrow(message);
  });
});
