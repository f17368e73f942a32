/**
 * The `driftwatch` command line. Each command lives in `commands/<name>.ts` and exports `register`.
 * Only the CLI reads `process.env`, sets the exit code and installs signal handlers.
 */
import { Command, CommanderError } from 'commander';
import { DriftwatchError } from '../core/errors.js';
import { driftwatchVersion } from '../core/version.js';
import { commands } from './commands/index.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('driftwatch')
    .description(
      'Self-hosted data- and model-drift monitoring, compatible with SageMaker Model Monitor files',
    )
    .version(driftwatchVersion())
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof DriftwatchError) {
      process.stderr.write(`driftwatch: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`driftwatch: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

const exitCode = await main(process.argv);
process.exitCode = exitCode;
