import { describe, expect, it } from 'vitest';
import { labTable } from '../../src/cli/lab.js';
import { formatTable, terminalWidth, wrap } from '../../src/cli/options.js';

const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

/** Rows as the lab gives them: results, checks, and six runs not run for one long reason. */
const reason =
  'not run by default: training takes about 35 s an epoch on 2 cores; `descent lab --epochs 30` runs the book’s 30 epochs (add --only schedule-train-cosine, say, for one schedule)';
const runs = [
  { id: 'gd-2d', summary: ['x₁ = −0.057646, x₂ = −0.000073', 'book ✓ (|Δ| 0)'] as const },
  {
    id: 'minibatch-gd',
    summary: ['loss 0.2431', 'optimum +0.00144, 0.269 ms/epoch'] as const,
  },
  {
    id: 'schedule-square-root',
    summary: ['', 'largest |descent − the book’s scheduler|: 1.39e−17'] as const,
  },
  ...['constant', 'square-root', 'factor', 'multi-factor', 'cosine', 'cosine-warmup'].map(
    (name) => ({
      id: `schedule-train-${name}`,
      summary: [reason, ''] as const,
      notRun: reason,
    }),
  ),
];

describe('the lab’s summary table', () => {
  it.each([80, 60])('fits in %i columns, with each note once below it', (width) => {
    const text = labTable(runs, width);
    expect(widest(text)).toBeLessThanOrEqual(width);
    const lines = text.split('\n');
    expect(
      lines.filter((l) => /^schedule-train-\S+ +not run by default \[1\]$/.test(l)),
    ).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('[1] '))).toHaveLength(1);
    expect(text).not.toContain('[2]');
    // The note, whole, below the table.
    const note = lines.slice(lines.findIndex((l) => l.startsWith('[1] ')));
    expect(note.map((l) => l.trim()).join(' ')).toBe(`[1] ${reason}`);
    expect(text).toMatch(/^gd-2d +x₁ = −0\.057646, x₂ = −0\.000073\b/m);
    expect(text).toContain('book ✓ (|Δ| 0)');
    if (width === 80)
      expect(text).toMatch(/^gd-2d +x₁ = −0\.057646, x₂ = −0\.000073 +book ✓ \(\|Δ\| 0\)$/m);
  });

  it('keeps the result and its check in columns where they fit', () => {
    const [table] = labTable(runs, 200).split('\n\n');
    expect(table.split('\n')[0]).toMatch(/^experiment +result +check$/);
    expect(widest(table)).toBeLessThan(120);
    expect(table).toMatch(/^gd-2d +x₁ = −0\.057646, x₂ = −0\.000073 +book ✓ \(\|Δ\| 0\)$/m);
  });
});

describe('formatTable', () => {
  const head = ['optimizer', 'settings', 'final loss', 'above the optimum', 'seconds per epoch'];
  const rows = [
    ['adam', 'lr 0.01, eps 1e−6, batchSize 10, epochs 1', '0.2458', '0.00414', '0.0297'],
    ['sgd', 'lr 0.05, batchSize 10, epochs 1', '0.2459', '0.00422', '0.00152'],
  ];

  it('pads columns to their widest cell when they fit', () => {
    expect(formatTable(['a', 'bb'], [['ccc', 'd']])).toBe('a    bb\n---  --\nccc  d');
  });

  it('wraps headings before cells to fit a width', () => {
    const text = formatTable(head, rows, 80);
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toMatch(/^adam +lr 0.01, eps 1e−6, batchSize 10, epochs 1 +0\.2458 +0\.00414/m);
  });

  it('wraps cells at spaces when headings are not enough, keeping words whole', () => {
    const text = formatTable(head, rows, 50);
    expect(widest(text)).toBeLessThanOrEqual(50);
    for (const word of ['batchSize', '0.00414', 'optimizer']) expect(text).toContain(word);
  });

  it('wraps text, keeping the spaces within a line and cutting only words longer than one', () => {
    expect(wrap('ab  cd ef', 6)).toEqual(['ab  cd', 'ef']);
    expect(wrap('abcdefgh', 3, ' ')).toEqual(['abc', ' de', ' fg', ' h']);
  });

  it('takes the terminal’s width, or 80 off a terminal', () => {
    expect(terminalWidth({ isTTY: false } as NodeJS.WriteStream)).toBe(80);
    expect(terminalWidth({ isTTY: true, columns: 132 } as NodeJS.WriteStream)).toBe(132);
  });
});
