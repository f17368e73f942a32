/** `driftwatch scan`: sensitive-data findings per column of a dataset (what Macie does for S3 objects). */
import { type Command, Option } from 'commander';
import { profileDataset } from '../../baseline/build.js';
import { IssueLog } from '../../core/issues.js';
import type { DatasetFormat } from '../../io/datasets/index.js';
import { createStorage } from '../../io/storage.js';
import { sensitiveTypeInfo } from '../../metrics/sensitive/detectors.js';

export function register(program: Command): void {
  program
    .command('scan')
    .description('Find sensitive values (e-mail, card numbers, IBAN, SSN, phone, IP, AWS keys) per column')
    .requiredOption('--dataset <uri>', 'a file, a folder of part files, or s3:// URI')
    .addOption(
      new Option('--format <format>', 'dataset format').choices(['csv', 'jsonl', 'arrow', 'parquet']),
    )
    .option('--no-header', 'CSV without a header row')
    .option('--json', 'print the findings as JSON')
    .action(async (options: { dataset: string; format?: DatasetFormat; header: boolean; json?: boolean }) => {
      const storage = createStorage();
      try {
        const issues = new IssueLog();
        const { profile } = await profileDataset(storage, options.dataset, {
          format: options.format,
          header: options.header,
          issues,
        });
        const columns = profile.columns
          .filter((c) => c.sensitive.any)
          .map((c) => ({
            column: c.name,
            values: c.numPresent,
            findings: c.sensitive.findings().map((f) => ({
              type: f.type,
              macie: sensitiveTypeInfo[f.type].macie,
              count: f.count,
              share: c.numPresent > 0 ? f.count / c.numPresent : 0,
            })),
          }));
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ dataset: options.dataset, rows: profile.itemCount, columns })}\n`,
          );
          return;
        }
        if (columns.length === 0) {
          process.stdout.write(
            `No sensitive values found in ${profile.itemCount} rows of ${options.dataset}.\n`,
          );
          return;
        }
        process.stdout.write(`Sensitive values in ${options.dataset} (${profile.itemCount} rows):\n`);
        process.stdout.write(
          `${'column'.padEnd(24)} ${'type'.padEnd(28)} ${'share'.padStart(8)} ${'count'.padStart(10)}\n`,
        );
        for (const c of columns) {
          for (const f of c.findings) {
            process.stdout.write(
              `${JSON.stringify(c.column).slice(0, 24).padEnd(24)} ${f.type.padEnd(28)} ${(f.share * 100).toFixed(2).padStart(7)}% ${String(f.count).padStart(10)}\n`,
            );
          }
        }
      } finally {
        storage.destroy();
      }
    });
}
