/** `driftwatch scan`: sensitive-data findings per column of a dataset (what Macie does for S3 objects). */
import { type Command, Option } from 'commander';
import { profileDataset } from '../../baseline/build.js';
import { IssueLog } from '../../core/issues.js';
import type { DatasetFormat } from '../../io/datasets/objects.js';
import { createStorage } from '../../io/storage.js';
import { columnFindings, findingsTable } from '../../security/findings-table.js';

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
        const columns = columnFindings(profile);
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
        process.stdout.write(findingsTable(columns));
      } finally {
        storage.destroy();
      }
    });
}
