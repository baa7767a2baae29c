import { mkdirSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** Option parsers: a bad value becomes commander's one-line error and exit code 2. */

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`Expected an integer in [${min}, ${max}].`);
    }
    return value;
  };
}

export function number(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new InvalidArgumentError('Expected a number.');
  return value;
}

export function list(text: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === ''))
    throw new InvalidArgumentError('Expected a comma-separated list.');
  return items;
}

export function numberList(text: string): number[] {
  return list(text).map(number);
}

/**
 * Runs the checks of a command's inputs: a TypeError or RangeError from them (descent's option
 * checks throw these, naming the option and the value) is a usage error, reported in one line
 * with exit code 2 like commander's own.
 */
export function checkUsage<T>(command: Command, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      command.error(`error: ${error.message}`, { exitCode: 2, code: 'descent.invalidValue' });
    }
    throw error;
  }
}

/** The first part of a Node error's message: "ENOENT: no such file or directory". */
function reason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return String(message ?? code ?? error).split(', ')[0];
}

/**
 * Makes sure `text` (the value of `option`) names a directory that exists or can be made, and
 * that files can be written in: made here, before any work, so that a bad path fails at once,
 * in one line. Each missing level is made on its own: Node's recursive mkdir never returns on
 * some paths (under /proc, say). Returns the absolute path, and a function that removes what
 * was made here, for a command that ends up writing nothing.
 */
export function prepareOutputDirectory(
  option: string,
  text: string,
): { dir: string; undo: () => void } {
  const invalid = (why: string) =>
    new RangeError(`Invalid ${option}: ${JSON.stringify(text)} (${why})`);
  if (text.trim() === '') throw invalid('expected a directory');
  const dir = resolve(text);
  const missing: string[] = [];
  let existing = dir;
  for (;;) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(existing, { throwIfNoEntry: false });
    } catch (error) {
      throw invalid(`cannot read ${existing}: ${reason(error)}`);
    }
    if (stat !== undefined) {
      if (!stat.isDirectory()) throw invalid(`${existing} is not a directory`);
      break;
    }
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST')
        throw invalid(`cannot create ${level}: ${reason(error)}`);
    }
  }
  try {
    rmdirSync(mkdtempSync(join(dir, '.descent-')));
  } catch (error) {
    throw invalid(`cannot write in ${dir}: ${reason(error)}`);
  }
  const undo = () => {
    for (const level of missing.reverse()) {
      try {
        rmdirSync(level);
      } catch {
        return;
      }
    }
  };
  return { dir, undo };
}

/**
 * `--checkpoint <dir>` and `--resume`, as compare and lab take them (`.addOption` each): `runs`
 * says which runs save themselves, `file` what each one's file is called in the directory.
 */
export function checkpointOptions(runs: string, file: string): [Option, Option] {
  return [
    new Option(
      '--checkpoint <dir>',
      `save ${runs} after every epoch in this directory, as <dir>/${file}.safetensors`,
    ),
    new Option(
      '--resume',
      `continue ${runs} from its checkpoint in --checkpoint to --epochs (a run without one starts afresh; one already done is not trained again)`,
    ),
  ];
}

/**
 * Checks `--checkpoint` and `--resume`: the absolute path of the directory (made when missing,
 * unless resuming), or undefined when there is none.
 */
export function checkCheckpointFlags(flags: {
  checkpoint?: string;
  resume?: boolean;
}): string | undefined {
  if (flags.checkpoint === undefined) {
    if (flags.resume) {
      throw new RangeError('Invalid --resume: it continues from --checkpoint <dir>, not given');
    }
    return undefined;
  }
  // A directory to resume from must be there: a mistyped one would start every run afresh.
  if (flags.resume && !isDirectory(flags.checkpoint)) {
    throw new RangeError(
      `Invalid --checkpoint: ${JSON.stringify(flags.checkpoint)} (no such directory to resume from)`,
    );
  }
  return prepareOutputDirectory('--checkpoint', flags.checkpoint).dir;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/**
 * Makes sure a file can be written at `text` (the value of `option`): its directory exists and
 * takes new files, and it is not a directory itself. Returns the absolute path.
 */
export function checkOutputFile(option: string, text: string): string {
  const invalid = (why: string) =>
    new RangeError(`Invalid ${option}: ${JSON.stringify(text)} (${why})`);
  if (text.trim() === '') throw invalid('expected a file');
  const file = resolve(text);
  const dir = dirname(file);
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw invalid('a directory');
    if (!statSync(dir).isDirectory()) throw invalid(`${dir} is not a directory`);
    rmdirSync(mkdtempSync(join(dir, '.descent-')));
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw invalid(`cannot write in ${dir}: ${reason(error)}`);
  }
  return file;
}

/** The width of the terminal that stdout is, or 80 when it is none (a pipe, a file). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  return stream.isTTY && stream.columns > 0 ? stream.columns : 80;
}

/** Terminal columns a text takes: one per code point (the lab writes no wide characters). */
const widthOf = (text: string): number => [...text].length;

const pad = (text: string, width: number): string =>
  text + ' '.repeat(Math.max(0, width - widthOf(text)));

/**
 * A text in lines of at most `width` columns, broken at spaces (a word longer than a line is
 * cut); `indent` starts every line but the first.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  const room = () => width - (lines.length === 0 ? 0 : widthOf(indent));
  // Words with the spaces before them, which stay as they are within a line.
  for (const [, space, word] of text.matchAll(/( *)([^ ]+)/g)) {
    let rest = word;
    if (line !== '' && widthOf(line) + space.length + widthOf(rest) <= room()) {
      line += space + rest;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    while (widthOf(rest) > room()) {
      const chars = [...rest];
      const size = Math.max(1, room());
      lines.push(chars.slice(0, size).join(''));
      rest = chars.slice(size).join('');
    }
    line = rest;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

/**
 * Columns padded to their widest cell, for summaries printed to a terminal, within `width`
 * columns. When the widest cells do not fit, headings wider than their column's cells wrap
 * first; then columns narrow, each time the one that frees the most width for the fewest added
 * lines, and their cells wrap at spaces. A column narrows no further than its longest word (up
 * to 30 characters), so that names stay whole.
 */
export function formatTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  width = Number.POSITIVE_INFINITY,
): string {
  const gap = 2;
  const all = [head, ...rows];
  const longestWord = (cells: readonly string[]) =>
    Math.max(4, ...cells.flatMap((cell) => cell.split(' ').map((w) => Math.min(widthOf(w), 30))));
  const natural = head.map((_, i) => Math.max(...all.map((row) => widthOf(row[i]))));
  const narrowest = head.map((_, i) => Math.min(natural[i], longestWord(all.map((row) => row[i]))));
  const widths = [...natural];
  const excess = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1) - width;
  // Headings first, the widest saving first.
  const body = head.map((_, i) => Math.max(0, ...rows.map((row) => widthOf(row[i]))));
  const headings = head
    .map((h, i) => ({ i, to: Math.max(body[i], longestWord([h])) }))
    .filter(({ i, to }) => to < widths[i])
    .sort((a, b) => widths[b.i] - b.to - (widths[a.i] - a.to));
  for (const { i, to } of headings) {
    if (excess() <= 0) break;
    widths[i] = Math.max(to, widths[i] - excess());
  }
  const lines = (w: readonly number[]) =>
    all.reduce(
      (sum, row) =>
        sum +
        Math.max(...row.map((cell, i) => (widthOf(cell) <= w[i] ? 1 : wrap(cell, w[i]).length))),
      0,
    );
  while (excess() > 0) {
    const now = lines(widths);
    let best: { i: number; to: number; cost: number } | undefined;
    for (let i = 0; i < widths.length; i++) {
      for (let to = widths[i] - 1; to >= Math.max(narrowest[i], widths[i] - excess()); to--) {
        const trial = widths.map((w, j) => (j === i ? to : w));
        const cost = (lines(trial) - now) / (widths[i] - to);
        if (best === undefined || cost < best.cost) best = { i, to, cost };
      }
    }
    if (best === undefined) break;
    widths[best.i] = best.to;
  }
  const render = (cells: readonly string[]): string[] => {
    const wrapped = cells.map((cell, i) =>
      widthOf(cell) <= widths[i] ? [cell] : wrap(cell, widths[i]),
    );
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) =>
      wrapped
        .map((w, i) => pad(w[k] ?? '', widths[i]))
        .join(' '.repeat(gap))
        .trimEnd(),
    );
  };
  return [
    ...render(head),
    render(widths.map((w) => '-'.repeat(w)))[0],
    ...rows.flatMap(render),
  ].join('\n');
}
