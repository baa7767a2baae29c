import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  describeCall,
  findSchedule,
  type OptionValue,
  scheduleEntries,
  scheduleOptions,
  scheduleValues,
} from '../lab/schedules.js';
import { checkUsage, integer } from './options.js';

interface PlotFlags {
  steps?: number;
  out?: string;
}

/**
 * `--name value` pairs after the schedule's name, parsed by the type of the option's default: a
 * list for a list, true or false for a flag (a bare `--flag` is true), a number for a number.
 */
function parseScheduleOptions(
  args: readonly string[],
  defaults: Record<string, OptionValue | undefined>,
): Record<string, OptionValue> {
  const given: Record<string, OptionValue> = {};
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
      Object.keys(defaults).find((k) => k.toLowerCase() === name.replace(/-/g, '').toLowerCase()) ??
      name;
    given[key] = parseValue(name, text, defaults[key]);
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
    'Example: descent plot schedule cosine --warmup-steps 5 --steps 40 --out cosine.png',
  );
  return lines.join('\n');
}

export function registerPlot(program: Command): void {
  const plot = program.command('plot').description('plot what descent computes');
  plot
    .command('schedule')
    .description('plot any learning-rate schedule of descent against the step, as SVG or PNG')
    .argument('<name>', 'the schedule (see the list below)')
    .option('--steps <n>', 'steps to plot (default: the schedule’s)', integer(1, 100_000))
    .option('--out <file>', 'output file, .svg or .png (default: ./schedule-NAME.svg)')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', scheduleHelp)
    .action(async (name: string, flags: PlotFlags, command: Command) => {
      const out = resolve(flags.out ?? `schedule-${name}.svg`);
      const { entry, options, values } = checkUsage(command, () => {
        const format = extname(out).toLowerCase();
        if (format !== '.svg' && format !== '.png')
          throw new RangeError(
            `Invalid --out: ${JSON.stringify(flags.out)} (expected a .svg or .png file)`,
          );
        const found = findSchedule(name);
        const options = scheduleOptions(
          found,
          parseScheduleOptions(command.args.slice(1), found.options),
        );
        return { entry: found, options, values: scheduleValues(found, options, flags.steps) };
      });
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
