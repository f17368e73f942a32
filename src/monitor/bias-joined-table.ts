/**
 * The bias kind's joined table (spec §9.2, §9.3): a captured request's cells (CSV, or a JSON list with
 * `featuresAttribute`), where they, the label and the predicted label stand in the table, and the joined
 * rows spooled to a temporary file (bounded memory) because the analysis reads them twice (pandas
 * classifies a column from all of it before counting).
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RereadableTable } from '../baseline/bias.js';
import { splitCsvLine } from '../capture/csv-split.js';
import { singleCsvRow } from '../capture/predictions.js';
import { snippet } from '../capture/records.js';
import type { ClarifyAnalysisConfig } from '../config/clarify.js';
import { ConfigError } from '../core/errors.js';
import type { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { readLines } from '../io/lines.js';
import type { RecordPlace } from './captured-records.js';
import type { BiasJob } from './clarify-job.js';

const PREDICTED_COLUMN = 'predicted_label';

/**
 * The joined table's layout: the config's headers (label at its place, request cells at the others) and
 * the predicted label, named by the config's `predicted_label` when it is a header, else appended.
 */
export interface TableLayout {
  columns: string[];
  labelIndex: number;
  predictionIndex: number;
  /** Table positions of the request's cells, in request order. */
  requestPositions: number[];
}

export function tableLayout(
  config: Pick<ClarifyAnalysisConfig, 'headers' | 'predictedLabel'> & { label: string | number },
  configUri: string,
): TableLayout {
  const headers = config.headers ?? [];
  const columns = [...headers];
  const indexOf = (attr: string | number): number =>
    typeof attr === 'number' ? (attr < headers.length ? attr : -1) : headers.indexOf(attr);
  let labelIndex = indexOf(config.label);
  if (labelIndex < 0) {
    if (typeof config.label === 'number')
      throw new ConfigError(`label index ${config.label} is not a header`, {
        file: configUri,
        field: 'label',
      });
    labelIndex = columns.push(config.label) - 1;
  }
  let predictionIndex = config.predictedLabel === undefined ? -1 : indexOf(config.predictedLabel);
  if (predictionIndex < 0 || predictionIndex === labelIndex) {
    const name = typeof config.predictedLabel === 'string' ? config.predictedLabel : PREDICTED_COLUMN;
    predictionIndex = columns.push(columns.includes(name) ? `${name}_` : name) - 1;
  }
  const requestPositions = headers.map((_, i) => i).filter((i) => i !== labelIndex && i !== predictionIndex);
  return { columns, labelIndex, predictionIndex, requestPositions };
}

/**
 * Joined rows spooled to a file in a temporary folder of its own, one JSON array of cell texts per line,
 * read back as a table; `remove()` deletes the folder.
 */
export class JoinedRowSpool {
  private fd: number | undefined;
  private buffer: string[] = [];
  private bytes = 0;
  private readonly path: string;
  /** The row being placed (reused: `add` writes it out at once). */
  private readonly row: string[];
  rows = 0;

  static async create(layout: TableLayout): Promise<JoinedRowSpool> {
    return new JoinedRowSpool(await mkdtemp(join(tmpdir(), 'driftwatch-bias-')), layout);
  }

  private constructor(
    readonly dir: string,
    readonly layout: TableLayout,
  ) {
    this.path = join(dir, 'joined.jsonl');
    this.row = new Array(layout.columns.length).fill('');
    this.fd = openSync(this.path, 'w');
  }

  /** Adds a joined row: the request's cells at their places, the label and the predicted label at theirs. */
  add(requestCells: readonly string[], label: string, predicted: string): void {
    const { row, layout } = this;
    layout.requestPositions.forEach((pos, i) => {
      row[pos] = requestCells[i] ?? '';
    });
    row[layout.labelIndex] = label;
    row[layout.predictionIndex] = predicted;
    const line = JSON.stringify(row);
    this.buffer.push(line);
    this.bytes += line.length;
    this.rows++;
    if (this.bytes > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.bytes = 0;
  }

  finish(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  async remove(): Promise<void> {
    this.finish();
    await rm(this.dir, { recursive: true, force: true });
  }

  table(): RereadableTable {
    const { path } = this;
    const { columns } = this.layout;
    return {
      open: async () => ({
        columns,
        async *rows(): AsyncIterable<Cell[]> {
          for await (const line of readLines(createReadStream(path))) {
            if (line.text !== '') yield JSON.parse(line.text) as Cell[];
          }
        },
      }),
    };
  }
}

/** The request's cells (CSV or, with `featuresAttribute`, a JSON list), or undefined after counting why. */
export function requestCells(
  job: BiasJob,
  featuresPath: ((doc: unknown) => unknown) | undefined,
  input: { data: string; bytes?: Uint8Array; contentType: string; encoding: string } | undefined,
  issues: IssueLog,
  where: RecordPlace,
): string[] | undefined {
  if (input === undefined || input.bytes !== undefined || input.data === '') {
    issues.add({
      kind: 'missing_input',
      ...where,
      message: 'no captured endpointInput text (capture mode must include Input)',
    });
    return undefined;
  }
  const json = input.encoding === 'JSON' || input.contentType.toLowerCase().includes('json');
  if (json) {
    if (featuresPath === undefined) {
      issues.add({
        kind: 'missing_attribute',
        ...where,
        message: 'a JSON request needs featuresAttribute (JMESPath of the feature list)',
      });
      return undefined;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(input.data);
    } catch {
      issues.add({
        kind: 'invalid_json',
        ...where,
        message: `endpointInput is not JSON: ${snippet(input.data)}`,
      });
      return undefined;
    }
    const list = featuresPath(doc);
    if (!Array.isArray(list) || list.some((v) => v !== null && typeof v === 'object')) {
      issues.add({
        kind: 'missing_attribute',
        ...where,
        column: job.featuresAttribute,
        message: 'featuresAttribute does not give one list of values',
      });
      return undefined;
    }
    return list.map((v) =>
      v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v),
    );
  }
  const text = singleCsvRow(input.data, 'endpointInput', issues, where);
  if (text === undefined) return undefined;
  return splitCsvLine(text).map((c) => (c === null || c === undefined ? '' : String(c)));
}
