/** `driftwatch baseline --analysis model-quality`: a validation set with predictions → constraints.json. */
import { buildModelQualityBaseline } from '../../baseline/model-quality.js';
import { ConfigError } from '../../core/errors.js';
import { IssueLog } from '../../core/issues.js';
import { createStorage } from '../../io/storage.js';
import type { ProblemType } from '../../metrics/quality/problem-types.js';
import { parseThreshold } from '../flags.js';
import { progressReporter } from '../progress.js';
import type { BaselineCommandOptions } from './options.js';

function parseWindowSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`expected a whole number of records, got ${JSON.stringify(text)}`, {
      field: '--expected-window-size',
    });
  return n;
}

export async function modelQualityBaseline(options: BaselineCommandOptions): Promise<void> {
  const problemType = options.problemType as ProblemType | undefined;
  if (!problemType)
    throw new ConfigError('--analysis model-quality needs --problem-type', { field: '--problem-type' });
  const groundTruthAttribute = options.groundTruthAttribute as string | undefined;
  if (!groundTruthAttribute)
    throw new ConfigError('--analysis model-quality needs --ground-truth-attribute', {
      field: '--ground-truth-attribute',
    });
  const storage = createStorage({ sseKmsKeyId: options.sseKmsKeyId as string | undefined });
  const issues = new IssueLog();
  const progress = progressReporter('rows');
  try {
    const result = await buildModelQualityBaseline(storage, {
      dataset: options.dataset,
      out: options.out,
      format: options.format,
      header: options.header,
      problemType,
      groundTruthAttribute,
      inferenceAttribute: options.inferenceAttribute as string | undefined,
      probabilityAttribute: options.probabilityAttribute as string | undefined,
      probabilityThreshold: parseThreshold(
        options.probabilityThresholdAttribute as string | undefined,
        '--probability-threshold-attribute',
      ),
      positiveLabel: options.positiveLabel as string | undefined,
      negativeLabel: options.negativeLabel as string | undefined,
      issues,
      ...(options.expectedWindowSize !== undefined
        ? {
            constraintMargin: {
              windowSize: parseWindowSize(options.expectedWindowSize as string),
              alarmRate: options.alarmRate as number,
            },
          }
        : {}),
      onProgress: (p) => progress.update(p.rowsRead, p.bytesRead),
    });
    progress.done(result.rows, 0);
    if (issues.total > 0)
      process.stderr.write(
        `warning: ${issues.total} input problems: ${JSON.stringify(issues.toJSON().counts)}\n`,
      );
    const metrics = Object.fromEntries([...result.metrics.scalars].filter(([, v]) => Number.isFinite(v)));
    const summary = {
      statistics: result.statisticsUri,
      constraints: result.constraintsUri,
      calibration: result.calibrationUri ?? null,
      rows: result.rows,
      itemCount: result.metrics.itemCount,
      problemType,
      metrics,
      issues: issues.toJSON(),
    };
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const files = [
        result.statisticsUri,
        result.constraintsUri,
        ...(result.calibrationUri ? [result.calibrationUri] : []),
      ];
      process.stdout.write(
        `Model-quality baseline (${problemType}) of ${result.metrics.itemCount} rows written:\n  ${files.join('\n  ')}\n`,
      );
    }
  } finally {
    storage.destroy();
  }
}
