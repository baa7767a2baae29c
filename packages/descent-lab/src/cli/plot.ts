import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import {
  checkSchedule,
  describeCall,
  findSchedule,
  type OptionValue,
  plotSteps,
  type ScheduleEntry,
  scheduleEntries,
  scheduleOptions,
  scheduleValues,
} from '../lab/schedules.js';
import { checkOutputFile, checkUsage, integer } from './options.js';

/** The most steps a plot shows: what --plot-steps takes, and the limit of a schedule's own span. */
const maxPlotSteps = 100_000;

interface PlotFlags {
  plotSteps?: number;
  out?: string;
}

/** An option of the schedule as the user wrote it: `--warmup-steps 5`. */
interface Given {
  flag: string;
  text: string;
  value: OptionValue;
}

/**
 * `--name value` pairs after the schedule's name, parsed by the type of the option's default: a
 * list for a list, true or false for a flag (a bare `--flag` is true), a number for a number.
 * Keyed by the entry's name of the option when it has one (else by the name as given, which
 * `scheduleOptions` refuses); a Map, so that no name reaches a prototype.
 */
function parseScheduleOptions(args: readonly string[], entry: ScheduleEntry): Map<string, Given> {
  const defaults = new Map(Object.entries(entry.options));
  const given = new Map<string, Given>();
  for (let i = 0; i < args.length; i++) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(args[i]);
    if (match === null)
      throw new RangeError(
        `Unexpected argument: ${JSON.stringify(args[i])} (expected --option value)`,
      );
    const name = match[1];
    let text = match[2];
    if (text === undefined) {
      const next = args[i + 1];
      text = next === undefined || /^--[^\d.]/.test(next) ? 'true' : args[++i];
    }
    const key =
      [...defaults.keys()].find((k) => k.toLowerCase() === name.replace(/-/g, '').toLowerCase()) ??
      name;
    given.set(key, { flag: `--${name}`, text, value: parseValue(name, text, defaults.get(key)) });
  }
  return given;
}

function parseValue(name: string, text: string, example: OptionValue | undefined): OptionValue {
  const numberOf = (item: string): number => {
    const value = Number(item);
    if (item.trim() === '' || Number.isNaN(value))
      throw new TypeError(`Invalid --${name}: ${JSON.stringify(text)} (expected a number)`);
    return value;
  };
  if (Array.isArray(example)) return text.split(',').map(numberOf);
  if (typeof example === 'boolean' || text === 'true' || text === 'false') {
    if (text !== 'true' && text !== 'false')
      throw new TypeError(`Invalid --${name}: ${JSON.stringify(text)} (expected true or false)`);
    return text === 'true';
  }
  if (typeof example === 'string' || (example === undefined && Number.isNaN(Number(text))))
    return text;
  return numberOf(text);
}

/** The option an error of descent's checks names: "Invalid maxUpdate: 20 (...)" names maxUpdate. */
function namedOption(message: string): string | undefined {
  return /^Invalid (?:[^:(]*\()?([\w$]+)\)?(?:\[\d+\])?:/.exec(message)?.[1];
}

/** maxUpdate -> --max-update. */
const flagOf = (name: string): string =>
  `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Runs the schedule's own checks. One of them can refuse an option the user did not give, because
 * of one they did (`--warmup-steps 1e308` makes the default maxUpdate too small): the error then
 * names the options given, and says which default they contradict.
 */
function checkGiven(
  entry: ScheduleEntry,
  options: Record<string, OptionValue>,
  given: Map<string, Given>,
): void {
  try {
    checkSchedule(entry, options);
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    const named = namedOption(error.message);
    if (
      named === undefined ||
      !Object.hasOwn(entry.options, named) ||
      given.has(named) ||
      given.size === 0
    )
      throw error;
    const mine = [...given.values()];
    const head =
      mine.length === 1
        ? `Invalid ${mine[0].flag}: ${mine[0].text}`
        : `Invalid ${mine.map((g) => `${g.flag} ${g.text}`).join(', ')}`;
    // "Invalid maxUpdate: 20 (expected an integer >= 26)" -> "an integer >= 26".
    const detail = /\(expected ([^()]*)\)$/.exec(error.message)?.[1];
    const value = options[named];
    const what = `${entry.name}'s ${named}`;
    const why =
      detail === undefined
        ? `with it, ${what} ${String(value)} is invalid`
        : `with it, ${what} must be ${detail}, and it is ${String(value)}`;
    const Kind = error instanceof TypeError ? TypeError : RangeError;
    throw new Kind(`${head} (${why}; set it with ${flagOf(named)})`);
  }
}

/** The plot's range was --steps once: a schedule that has no steps option says where it went. */
function withHint<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof RangeError && /^Unknown option for [^:]+: steps /.test(error.message))
      throw new RangeError(`${error.message}; the steps plotted are --plot-steps`);
    throw error;
  }
}

function scheduleHelp(): string {
  const lines = [
    '',
    'Schedules and their options (defaults: the chapter’s settings where it plots the schedule):',
  ];
  for (const entry of scheduleEntries) {
    const options = Object.entries(entry.options).map(([k, v]) =>
      v === undefined ? k : `${k} ${Array.isArray(v) ? v.join(',') : String(v)}`,
    );
    lines.push(`  ${entry.name.padEnd(28)} ${options.join(', ')}`);
  }
  lines.push(
    '',
    'A plot shows the whole schedule: its phases up to its final value, and some of that.',
    'Example: descent plot schedule cosine --warmup-steps 5 --max-update 40 --out cosine.png',
  );
  return lines.join('\n');
}

export function registerPlot(program: Command): void {
  const plot = program.command('plot').description('plot what descent computes');
  plot
    .command('schedule')
    .description('plot any learning-rate schedule of descent against the step, as SVG or PNG')
    .argument('<name>', 'the schedule (see the list below)')
    .option(
      '--plot-steps <n>',
      'steps to plot (default: the whole schedule, from its options)',
      integer(1, maxPlotSteps),
    )
    .option('--out <file>', 'output file, .svg or .png (default: ./schedule-NAME.svg)')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', scheduleHelp)
    .action(async (name: string, flags: PlotFlags, command: Command) => {
      const { entry, options, out, steps } = checkUsage(command, () => {
        const found = findSchedule(name);
        const given = parseScheduleOptions(command.args.slice(1), found);
        const values = Object.create(null) as Record<string, OptionValue>;
        for (const [key, { value }] of given) values[key] = value;
        const options = withHint(() => scheduleOptions(found, values));
        checkGiven(found, options, given);
        const steps = flags.plotSteps ?? plotSteps(found, options);
        if (!(steps <= maxPlotSteps)) {
          throw new RangeError(
            `${found.name} spans ${steps} steps with these options, more than a plot shows (at most ${maxPlotSteps}: --plot-steps N plots the first N)`,
          );
        }
        const out = flags.out ?? `schedule-${name}.svg`;
        const format = extname(out).toLowerCase();
        if (format !== '.svg' && format !== '.png')
          throw new RangeError(
            `Invalid --out: ${JSON.stringify(out)} (expected a .svg or .png file)`,
          );
        return { entry: found, options, out: checkOutputFile('--out', out), steps };
      });
      const values = scheduleValues(entry, options, steps);
      const { lineChart, renderSvg, svgToPng } = await import('../lab/plot.js');
      const svg = await renderSvg(
        lineChart({
          title: `${entry.name}: learning rate against steps`,
          subtitle: describeCall(entry, options),
          x: { title: 'step t' },
          y: { title: 'learning rate' },
          series: [
            {
              name: entry.name,
              points: values.map((v, t) => [t, v] as const),
              style: values.length <= 100 ? 'line+points' : 'line',
            },
          ],
        }),
      );
      await writeFile(out, out.toLowerCase().endsWith('.png') ? svgToPng(svg) : svg);
      console.log(
        `${out}: ${entry.name}, ${values.length} steps, from ${values[0]} to ${values[values.length - 1]}`,
      );
    });
}
