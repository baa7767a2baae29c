import type { OptionValue } from 'descent';

/** How the report writes numbers: as the book prints them (`%f`, six decimals) where it prints them. */

export function fixed(value: number, digits = 6): string {
  if (!Number.isFinite(value)) return String(value);
  const text = value.toFixed(digits);
  // A true minus sign, as Vega writes on the axes.
  return text.replace('-', '−');
}

/** Short, readable numbers for tables and labels: 3 significant digits, exponent when tiny. */
export function short(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const size = Math.abs(value);
  const rounded = Number(value.toPrecision(3));
  const text = size >= 1e-3 && size < 1e5 ? String(rounded) : rounded.toExponential();
  return text.replace('-', '−');
}

/** A final point: "x = 0.060466" or "x₁ = −0.057646, x₂ = −0.000073". */
export function point(value: number | readonly number[]): string {
  if (typeof value === 'number') return `x = ${fixed(value)}`;
  return value.map((v, i) => `x${'₁₂₃'[i]} = ${fixed(v)}`).join(', ');
}

/** Options as a table lists them: "lr 0.01, betas [0.9, 0.99], amsgrad true". */
export function settings(values: Record<string, OptionValue>): string {
  const text = (value: OptionValue): string =>
    typeof value === 'number'
      ? short(value)
      : Array.isArray(value)
        ? `[${value.map(text).join(', ')}]`
        : String(value);
  return Object.entries(values)
    .map(([key, value]) => `${key} ${text(value)}`)
    .join(', ');
}

/** A table in Markdown: its heading, the rule below it, and a line per row. */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}
