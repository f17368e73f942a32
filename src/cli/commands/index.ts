/**
 * Every CLI command, in help order, loaded lazily (issue 15): a command's module (and the SDKs it pulls in:
 * AWS clients, BullMQ, Arrow) is imported only when that command runs or shows its own help. `--help` and
 * `--version` import none of them; the top-level help lists each command from `summary` below, which a
 * unit test keeps equal to what the command's module registers.
 *
 * Adding a command: its module exporting `register`, and one entry here.
 */
import { type Command, Option } from 'commander';

export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  /** The command's name, as its module registers it. */
  name: string;
  /** Its one-line description (shown by the top-level help without loading the module). */
  summary: string;
  /** Whether it has options of its own (the top-level help shows `name [options]`). */
  options: boolean;
  load: () => Promise<{ register: RegisterCommand }>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'Run the main job end to end on generated local data (no Redis, no AWS)',
    options: true,
    load: () => import('./demo.js'),
  },
  {
    name: 'baseline',
    summary: 'Build a baseline (statistics.json and constraints.json) from a training dataset',
    options: true,
    load: () => import('./baseline.js'),
  },
  {
    name: 'compare',
    summary: 'run every applicable drift test on every feature of two datasets',
    options: true,
    load: () => import('./compare.js'),
  },
  {
    name: 'run',
    summary: 'Run one data-quality monitoring execution over a window of captured traffic',
    options: true,
    load: () => import('./run.js'),
  },
  {
    name: 'alarms',
    summary: 'CloudWatch alarms for on-call, provisioned from the monitors config',
    options: false,
    load: () => import('./alarms.js'),
  },
  {
    name: 'run-quality',
    summary:
      'Run one model-quality execution: captured predictions of a window joined with late ground truth',
    options: true,
    load: () => import('./run-quality.js'),
  },
  {
    name: 'run-bias',
    summary:
      'Run one bias-drift execution (Clarify): captured requests and predictions joined with late ground truth',
    options: true,
    load: () => import('./run-bias.js'),
  },
  {
    name: 'run-attribution',
    summary: 'Run one feature-attribution-drift execution (Clarify) from captured online explanations',
    options: true,
    load: () => import('./run-attribution.js'),
  },
  {
    name: 'lineage',
    summary:
      'Print the chain behind an execution (training data → baseline → execution → metrics → alarms), or the executions that used a baseline',
    options: true,
    load: () => import('./lineage.js'),
  },
  {
    name: 'schedule',
    summary: 'Create, update and remove the job schedulers of the monitors in a config file',
    options: true,
    load: () => import('./schedule.js'),
  },
  {
    name: 'worker',
    summary: 'Run monitoring executions from the queue (until SIGTERM or SIGINT)',
    options: true,
    load: () => import('./worker.js'),
  },
  {
    name: 'backfill',
    summary: "Enqueue the executions of a monitor's scheduled times in [--from, --to)",
    options: true,
    load: () => import('./backfill.js'),
  },
  {
    name: 'status',
    summary: 'Show monitors, their next run, their last executions and the jobs running now',
    options: true,
    load: () => import('./status.js'),
  },
  {
    name: 'report',
    summary: 'Render the HTML report of one execution (an hour folder holding execution.json)',
    options: true,
    load: () => import('./report.js'),
  },
  {
    name: 'scan',
    summary: 'Find sensitive values (e-mail, card numbers, IBAN, SSN, phone, IP, AWS keys) per column',
    options: true,
    load: () => import('./scan.js'),
  },
  {
    name: 'dashboard',
    summary: 'Serve (or --export) a read-only dashboard of every configured monitor and endpoint',
    options: true,
    load: () => import('./dashboard.js'),
  },
  {
    name: 'config',
    summary: 'Check a monitors config file, or print its JSON Schema or reference',
    options: false,
    load: () => import('./config.js'),
  },
  {
    name: 'iam-policy',
    summary: 'Print the minimal IAM policy (JSON) of a driftwatch role for the monitors of a config',
    options: true,
    load: () => import('./iam-policy.js'),
  },
];

/**
 * The entries whose modules a command line needs: the named command (`driftwatch run ...`,
 * `driftwatch help run`), or none for `--help`, `--version`, no command or an unknown one.
 * Top-level options are only `-h`/`--help` and `-V`/`--version`, so the first word not starting with `-`
 * names the command.
 */
export function commandsToLoad(args: readonly string[]): CommandEntry[] {
  let name = args.find((a) => !a.startsWith('-'));
  if (name === 'help') name = args.slice(args.indexOf('help') + 1).find((a) => !a.startsWith('-'));
  const entry = commands.find((c) => c.name === name);
  return entry ? [entry] : [];
}

/**
 * Registers on `program` the commands `args` needs (their modules imported now) and, for every other
 * command, a stand-in carrying only its name and summary, so the top-level help lists them all.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const needed = commandsToLoad(args);
  const modules = new Map(await Promise.all(needed.map(async (c) => [c.name, await c.load()] as const)));
  for (const entry of commands) {
    const loaded = modules.get(entry.name);
    if (loaded) loaded.register(program);
    else {
      const standIn = program.command(entry.name).description(entry.summary);
      // Only for the help's `name [options]` term; the stand-in never runs (its name was not in args).
      if (entry.options) standIn.addOption(new Option('--options').hideHelp());
    }
  }
}
