import { readFileSync } from 'node:fs';
import type { BookValue } from './types.js';

/**
 * What the book's code gives, written by scripts/reference/lab_book_values.py (which runs the
 * book's own code) and shipped with descent: the line each deterministic trace prints, and the
 * learning rates of the scheduling section's schedulers.
 */
const bookValuesPath = new URL('../../data/book-values.json', import.meta.url);

interface BookValues {
  experiments: Record<string, BookValue & { path: unknown }>;
  schedules: Record<string, number[]>;
}

let cache: BookValues | undefined;

function load(): BookValues {
  cache ??= JSON.parse(readFileSync(bookValuesPath, 'utf8')) as BookValues;
  return cache;
}

export function bookValue(id: string): BookValue | undefined {
  const value = load().experiments[id];
  return value === undefined ? undefined : { printed: value.printed, final: value.final };
}

export function bookSchedule(id: string): number[] | undefined {
  return load().schedules[id];
}
