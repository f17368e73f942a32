/** Real data-quality inputs for worker tests: a baseline from generated training data, and capture files. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCaptureFiles } from '../../bench/capture.js';
import { generateCsv } from '../../bench/datasets.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { RoutingStorage } from '../../src/io/storage.js';

export interface MonitorData {
  captureUri: string;
  baselineUri: string;
  outputUri: string;
  endpoint: string;
}

/**
 * Under `dir`: a baseline of `features` input features (+ the label), and `records` capture records of
 * endpoint `ep` spread over `files` files in the hour from `windowStart`.
 */
export async function prepareMonitorData(
  dir: string,
  options: { records: number; files: number; features?: number; windowStart: Date },
): Promise<MonitorData> {
  const features = options.features ?? 8;
  mkdirSync(dir, { recursive: true });
  const storage = new RoutingStorage();
  await generateCsv(join(dir, 'train.csv'), 3000, features + 1);
  await buildBaseline(storage, { dataset: join(dir, 'train.csv'), out: join(dir, 'baseline') });
  await generateCaptureFiles(join(dir, 'capture'), options.records, features, options.windowStart, {
    endpoint: 'ep',
    recordsPerFile: Math.ceil(options.records / options.files),
    minutesPerFile: Math.max(1, Math.floor(60 / options.files)),
  });
  return {
    captureUri: join(dir, 'capture'),
    baselineUri: join(dir, 'baseline'),
    outputUri: join(dir, 'out'),
    endpoint: 'ep',
  };
}
