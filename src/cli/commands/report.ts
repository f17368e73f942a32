/**
 * `driftwatch report --execution <uri-prefix-of-an-hour> [--out <file>]`: renders an execution's
 * `report.html` again from what its hour folder holds (to stdout without `--out`).
 */
import type { Command } from 'commander';
import { createStorage } from '../../io/storage.js';
import { loadHourFiles, renderReport } from '../../report/html/index.js';

interface ReportOptions {
  execution: string;
  out?: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Render the HTML report of one execution (an hour folder holding execution.json)')
    .requiredOption('--execution <uri>', 'the hour folder: <output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/')
    .option('--out <uri>', 'where to write the report (a file or s3:// URI); default: stdout')
    .action(async (options: ReportOptions) => {
      const storage = createStorage();
      try {
        const files = await loadHourFiles(storage, options.execution);
        const html = renderReport(files);
        if (options.out) {
          await storage.write(options.out, html, { contentType: 'text/html; charset=utf-8' });
          process.stderr.write(`report written to ${options.out}\n`);
        } else process.stdout.write(html);
        for (const problem of files.problems) process.stderr.write(`warning: ${problem}\n`);
      } finally {
        storage.destroy();
      }
    });
}
