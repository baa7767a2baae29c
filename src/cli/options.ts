import { type Command, InvalidArgumentError } from 'commander';

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

/** Columns padded to their widest cell, for summaries printed to a terminal. */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
