import cliProgress from 'cli-progress';

/**
 * Progress of a long command: a bar per task on a terminal, and on anything else (a pipe, a CI
 * log) one plain line per finished task, so logs stay readable.
 */
export interface Progress {
  start(label: string, total: number): void;
  update(done: number, total: number): void;
  /** Ends the current task with a short result. */
  stop(result: string): void;
  /**
   * Ends the current task as failed: a bar shows the result; off a terminal no line is logged,
   * since the command ends with one line that says what failed.
   */
  fail(result: string): void;
  /** A line of its own, between finished tasks' lines (on a terminal, above the bar). */
  note(line: string): void;
}

/** What a run asked to resume found: its checkpoint, after so many epochs, or none. */
export function resumeNote(name: string, file: string, epochsDone: number | null): string {
  return epochsDone === null
    ? `${name}: no checkpoint at ${file}, starting afresh`
    : `${name}: resuming from ${file} after epoch ${epochsDone}`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let label = '';
  if (!stream.isTTY) {
    return {
      start: (name) => {
        label = name;
      },
      update: () => {},
      stop: (result) => {
        stream.write(`${label}  ${result}\n`);
      },
      fail: () => {},
      note: (line) => {
        stream.write(`${line}\n`);
      },
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  const stop = (result: string) => {
    if (bar === undefined) return;
    bar.update(bar.getTotal(), { result });
    bar.stop();
    bar = undefined;
  };
  return {
    start: (name, total) => {
      label = name;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: '{label} [{bar}] {percentage}% {result}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { label: label.padEnd(28), result: '' });
    },
    update: (done, total) => {
      bar?.setTotal(total);
      bar?.update(done);
    },
    stop,
    fail: stop,
    // Over the bar's line, which the bar draws again below at its next update.
    note: (line) => {
      stream.write(`\r\x1b[2K${line}\n`);
    },
  };
}
