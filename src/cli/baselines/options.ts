/** The options of `driftwatch baseline`, as commander parses them (every analysis reads its own). */
import type { DatasetFormat } from '../../io/datasets/objects.js';
import type { PiiMode } from '../../security/pii-modes.js';

export interface BaselineCommandOptions {
  dataset: string;
  out: string;
  format?: DatasetFormat;
  header: boolean;
  json?: boolean;
  analysis: string;
  pii: PiiMode;
  [key: string]: unknown;
}
