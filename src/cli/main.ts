/**
 * The `driftwatch` command line. Each command lives in `commands/<name>.ts` and exports `register`.
 * Only the CLI reads `process.env`, sets the exit code and installs signal handlers.
 */
import { Command, CommanderError } from 'commander';
import { toDriftwatchError } from '../core/error-boundary.js';
import { driftwatchVersion } from '../core/version.js';
import { registerCommands } from './commands/index.js';

export async function main(argv: string[]): Promise<number> {
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
    if (error instanceof CommanderError) return error.exitCode;
    return reportFailure(error);
  }
}

/**
 * The CLI's error boundary: one line on stderr, `driftwatch: <operation> <uri>: <what went wrong>`, never a
 * stack trace (unless DRIFTWATCH_DEBUG is set). Exit 2 for a failure driftwatch understood (bad input,
 * config, access, storage, network), 1 for an internal error.
 */
function reportFailure(error: unknown): number {
  const failure = toDriftwatchError(error);
  const internal = failure.code === 'E_INTERNAL';
  const hint =
    internal && !process.env.DRIFTWATCH_DEBUG ? ' (internal error; DRIFTWATCH_DEBUG=1 shows the stack)' : '';
  process.stderr.write(`driftwatch: ${failure.message}${hint}\n`);
  if (process.env.DRIFTWATCH_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  return internal ? 1 : 2;
}

// A promise rejected with nobody waiting (a connection failing after its command gave up) is reported by
// the same boundary instead of Node's multi-line crash dump.
process.on('unhandledRejection', (error) => {
  process.exitCode = reportFailure(error);
  process.exit();
});

const exitCode = await main(process.argv);
process.exitCode = exitCode;
