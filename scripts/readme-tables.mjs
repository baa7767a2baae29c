#!/usr/bin/env node
/**
 * The README's tables of optimizers and schedules, written from their specs (`optimizerSpecs`,
 * `scheduleSpecs` of descent, packages/descent/src/core/spec.ts): each between its markers in
 * README.md, `<!-- options:begin -->` … `<!-- options:end -->` and `<!-- schedules:begin -->` …
 * `<!-- schedules:end -->`.
 *
 *     npm run readme       builds descent and rewrites the tables in README.md
 *
 * packages/descent/test/core/spec.test.ts renders them from the current sources and fails when
 * README.md holds anything else.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A number as the tables write it: 1e-3 below 0.1, 1e6 from 10⁴, plain otherwise. */
function number(x) {
  const size = Math.abs(x);
  if (x !== 0 && (size < 0.1 || size >= 1e4)) return x.toExponential().replace('e+', 'e');
  return String(x);
}

/** A value as code writes it: 1e-3, [0.9, 0.999], false, null, 'linear'. */
export function formatValue(value) {
  if (typeof value === 'number') return number(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/** An option and its default: "lr 1e-3", "lineSearchFn null | 'strong_wolfe'", "hessian required". */
function withDefault(option) {
  if (option.defaultFrom !== undefined) return `${option.name} ${option.defaultFrom}`;
  if (option.default === undefined) return `${option.name} required`;
  const choices = option.choices ?? [];
  // A choice among few shows them all, the default first; among many (shapes), its default.
  const others = choices.length <= 2 ? choices.filter((c) => c !== option.default) : [];
  const text = [option.default, ...others].map(formatValue).join(' \\| ');
  return `${option.name} ${text}${option.fixed === undefined ? '' : ' (always)'}`;
}

const row = (cells) => `| ${cells.join(' | ')} |`;

/** The optimizers: each class, its options with their defaults, what it follows. */
export function optimizerTable(specs) {
  return [
    row(['class', 'options (defaults)', 'follows']),
    row(['---', '---', '---']),
    ...specs.map((spec) =>
      row([
        `\`${spec.name}\``,
        spec.options.map(withDefault).join(', ') + (spec.needsClosure ? '; `step(closure)`' : ''),
        spec.reference,
      ]),
    ),
  ].join('\n');
}

/** The schedules: each function, its required options, the others with their defaults. */
export function scheduleTable(specs) {
  const required = (o) => o.default === undefined && o.defaultFrom === undefined;
  return [
    row(['schedule', 'required', 'options (defaults)', 'follows']),
    row(['---', '---', '---', '---']),
    ...specs.map((spec) =>
      row([
        `\`${spec.name}(${spec.takesSchedule ? 'schedule, ' : ''}options)\``,
        spec.options
          .filter(required)
          .map((o) => o.name)
          .join(', ') || '—',
        spec.options
          .filter((o) => !required(o))
          .map(withDefault)
          .join(', ') || '—',
        spec.reference,
      ]),
    ),
  ].join('\n');
}

/** `readme` with each table between its markers replaced by the one the specs give. */
export function withTables(readme, { optimizerSpecs, scheduleSpecs }) {
  const tables = {
    options: optimizerTable(optimizerSpecs),
    schedules: scheduleTable(scheduleSpecs),
  };
  let text = readme;
  for (const [name, table] of Object.entries(tables)) {
    const begin = `<!-- ${name}:begin -->`;
    const end = `<!-- ${name}:end -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${begin} … ${end}`);
    text = `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`;
  }
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The built library (npm run readme builds it first): a script cannot import TypeScript.
  const descent = await import('descent');
  const file = fileURLToPath(new URL('../README.md', import.meta.url));
  const readme = readFileSync(file, 'utf8');
  const updated = withTables(readme, descent);
  writeFileSync(file, updated);
  console.log(updated === readme ? 'README.md: tables up to date' : 'README.md: tables rewritten');
}
