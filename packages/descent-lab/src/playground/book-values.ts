/**
 * What the book prints for each preset that is one of its deterministic traces, from the lab's
 * data/book-values.json (written by scripts/reference/lab_book_values.py from the book's own code),
 * bundled into the page.
 */
import bookValues from '../../data/book-values.json' with { type: 'json' };

/** What the book prints for a preset, when it is a deterministic trace of the book. */
export interface PresetBook {
  printed: string;
  final: number | number[];
}

/** What the book prints for a preset (its deterministic traces), from data/book-values.json. */
export function presetBook(id: string): PresetBook | undefined {
  const entry = (bookValues.experiments as Record<string, PresetBook | undefined>)[id];
  return entry === undefined ? undefined : { printed: entry.printed, final: entry.final };
}
