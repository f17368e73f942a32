/**
 * One hour's report for the dashboard: the stored `report.html` of the hour folder, or (executions written
 * before reports existed, or whose report failed) rendered now from the folder. The key is built from the
 * monitor's config and an hour of the checked shape only.
 */
import type { MonitorConfig } from '../config/index.js';
import type { Storage } from '../io/storage.js';
import { loadHourFiles, renderReport } from '../report/html/index.js';
import { hourFileUri, monitorPrefix } from './read.js';

export async function renderHourReport(
  storage: Storage,
  monitor: MonitorConfig,
  hour: string,
): Promise<string | undefined> {
  const reportUri = hourFileUri(monitor, hour, 'report.html');
  const executionUri = hourFileUri(monitor, hour, 'execution.json');
  if (!reportUri || !executionUri) return undefined;
  if (await storage.head(reportUri)) return await storage.readText(reportUri);
  if (!(await storage.head(executionUri))) return undefined;
  return renderReport(await loadHourFiles(storage, `${monitorPrefix(monitor)}${hour}/`));
}
