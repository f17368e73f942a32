/**
 * `driftwatch dashboard --config monitors.yaml [--host 127.0.0.1] [--port 8080]`: a read-only web UI over
 * the configured monitors' output prefixes (S3 or local); `--export <dir>` writes the same pages as static
 * files instead (index.html, m/<monitor>/index.html, each hour's report.html) and prints the index's path.
 */
import type { Command } from 'commander';
import { loadMonitorsConfig } from '../../config/monitors.js';
import { createLogger } from '../../core/log.js';
import { createDashboardServer, exportDashboard } from '../../dashboard/index.js';
import { createStorage } from '../../io/storage.js';

interface DashboardOptions {
  config: string;
  host: string;
  port: number;
  export?: string;
  columns: number;
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a whole number: ${v}`);
  return n;
};

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('Serve (or --export) a read-only dashboard of every configured monitor and endpoint')
    .requiredOption('--config <file>', 'the monitors config file')
    .option('--host <host>', 'address to bind (another address than loopback exposes it)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', int, 8080)
    .option('--export <dir>', 'write the pages as static files to this folder (or s3:// prefix) and exit')
    .option('--columns <n>', 'executions drawn in the status strip and heat map (most recent)', int, 168)
    .action(async (options: DashboardOptions) => {
      const config = await loadMonitorsConfig(options.config);
      const storage = createStorage();
      const pages = { columns: options.columns };
      if (options.export !== undefined) {
        try {
          const result = await exportDashboard(storage, config, options.export, pages);
          for (const p of result.problems) process.stderr.write(`warning: ${p}\n`);
          process.stdout.write(
            `dashboard written: ${result.pages} pages, ${result.reports} reports\n${result.index}\n`,
          );
        } finally {
          storage.destroy();
        }
        return;
      }
      const logger = createLogger({ level: process.env.DRIFTWATCH_LOG_LEVEL });
      const server = createDashboardServer({ storage, config, logger, pages });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => resolve());
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      process.stdout.write(`dashboard on http://${host}:${port}/ (read-only; Ctrl-C stops)\n`);
      const stop = () => {
        server.close();
        server.closeAllConnections();
        storage.destroy();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
