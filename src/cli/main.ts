/**
 * The `driftwatch` command line. Each command lives in `commands/<name>.ts` and exports `register`.
 * Only the CLI reads `process.env`, sets the exit code and installs signal handlers.
 */
import { Command, CommanderError } from 'commander';
import { toDriftwatchError } from '../core/error-boundary.js';
import { driftwatchVersion } from '../core/version.js';
import { setTestHooks } from '../monitor/crash-points.js';
import { registerCommands } from './commands/index.js';
import { EXIT } from './exit-codes.js';

export async function main(argv: string[]): Promise<number> {
  setTestHooks({
    crashAt: process.env.DRIFTWATCH_TEST_CRASH_AT,
    maxDatumsPerCall: process.env.DRIFTWATCH_TEST_MAX_DATUMS_PER_CALL,
  });
  const program = new Command('driftwatch')
    .description(
      'Self-hosted data- and model-drift monitoring, compatible with SageMaker Model Monitor files',
    )
    .version(driftwatchVersion())
    .exitOverride()
    .showHelpAfterError();
  try {
    await registerCommands(program, argv.slice(2));
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error (unknown option, missing or bad argument) is
      // a usage error, already said on stderr by commander.
      if (error.exitCode === 0) return 0;
      if (wantsJson(argv)) writeJsonError('E_USAGE', error.message.replace(/^error: /, ''), EXIT.usage);
      return EXIT.usage;
    }
    return reportFailure(error, wantsJson(argv));
  }
}

/** `--json` among the arguments (before a `--`): errors are then JSON on stdout too. */
function wantsJson(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

/** The JSON form of an error, one line on stdout: `{"error": {"code", "message", "exitCode"}}`. */
function writeJsonError(code: string, message: string, exitCode: number): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message, exitCode } })}\n`);
}

/**
 * The CLI's error boundary: one line on stderr, `driftwatch: <operation> <uri>: <what went wrong>`, never a
 * stack trace (unless DRIFTWATCH_DEBUG is set); with `--json` also `{"error": ...}` on stdout. Exit 2 for a
 * failure driftwatch understood (bad input, config, access, storage, network), 4 for an internal error
 * (exit-codes.ts).
 */
function reportFailure(error: unknown, json = false): number {
  const failure = toDriftwatchError(error);
  const internal = failure.code === 'E_INTERNAL';
  const hint =
    internal && !process.env.DRIFTWATCH_DEBUG ? ' (internal error; DRIFTWATCH_DEBUG=1 shows the stack)' : '';
  process.stderr.write(`driftwatch: ${failure.message}${hint}\n`);
  if (process.env.DRIFTWATCH_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  const code = internal ? EXIT.internal : EXIT.usage;
  if (json) writeJsonError(failure.code, failure.message, code);
  return code;
}

// A promise rejected with nobody waiting (a connection failing after its command gave up) is reported by
// the same boundary instead of Node's multi-line crash dump.
process.on('unhandledRejection', (error) => {
  process.exitCode = reportFailure(error, wantsJson(process.argv));
  process.exit();
});

const exitCode = await main(process.argv);
process.exitCode = exitCode;
