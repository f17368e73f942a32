/**
 * `driftwatch config validate --config <file>`: checks a monitors config and lists every problem of the
 * file in one pass (unknown fields with a "did you mean"), or the monitors it defines.
 * `driftwatch config schema [--markdown]`: the config's JSON Schema (for editors), or its reference in
 * Markdown (docs/config.md), both generated from the zod schema that validates it (config/reference.ts).
 */
import type { Command } from 'commander';
import { loadMonitorsConfig } from '../../config/monitors.js';
import { monitorsConfigJsonSchema, monitorsConfigReference } from '../../config/reference.js';
import { ConfigError } from '../../core/errors.js';
import type { FieldIssue } from '../../core/zod-error.js';
import { EXIT } from '../exit-codes.js';

export function register(program: Command): void {
  const config = program
    .command('config')
    .description('Check a monitors config file, or print its JSON Schema or reference');
  config
    .command('validate')
    .description('Check a monitors config: every problem of the file at once, or the monitors it defines')
    .requiredOption('--config <file>', 'monitors config (YAML or JSON)')
    .option('--json', 'print {valid, monitors} or {valid: false, errors: [{field, message}]}')
    .action(async (options: { config: string; json?: boolean }) => {
      try {
        const loaded = await loadMonitorsConfig(options.config);
        const monitors = loaded.monitors.map((m) => ({ name: m.name, type: m.type, schedule: m.schedule }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ valid: true, file: options.config, monitors })}\n`);
          return;
        }
        const lines = [
          `${options.config}: valid, ${monitors.length} monitor${monitors.length === 1 ? '' : 's'}`,
        ];
        for (const m of monitors) lines.push(`  ${m.name}  (${m.type}, ${m.schedule})`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        const issues: FieldIssue[] = (error as ConfigError & { issues?: FieldIssue[] }).issues ?? [
          { field: error.field ?? '(file)', message: error.message },
        ];
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ valid: false, file: options.config, errors: issues })}\n`);
        } else {
          const lines = [`${options.config}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`];
          for (const issue of issues) lines.push(`  ${issue.field}: ${issue.message}`);
          process.stderr.write(`${lines.join('\n')}\n`);
        }
        process.exitCode = EXIT.usage;
      }
    });
  config
    .command('schema')
    .description('Print the JSON Schema of the monitors config (or, with --markdown, its reference)')
    .option('--markdown', 'the config reference in Markdown (docs/config.md) instead')
    .action((options: { markdown?: boolean }) => {
      process.stdout.write(
        options.markdown
          ? monitorsConfigReference()
          : `${JSON.stringify(monitorsConfigJsonSchema(), null, 2)}\n`,
      );
    });
}
