/**
 * Capture records → profile rows (spec §1.3, §8.6).
 *
 * A row is a `Cell[]` indexed by column index, as handed out by a `ColumnResolver` (the dataset profile).
 * Missing cells are `undefined` (a hole) or `null`.
 *
 * Rules:
 * - CSV payloads: each non-empty line is a row. The output's values go before (`START`, the default) or
 *   after (`END`) the input's values and the cells map positionally onto the baseline columns; positions
 *   beyond the baseline become extra columns `_c<i>`. A row whose width differs from the baseline is
 *   counted (`column_count`) and still profiled positionally.
 * - Pairing outputs with a multi-row input: one output line per input line pairs line by line; a single
 *   output line holding exactly one value per input line (e.g. XGBoost's `0.1,0.7,0.2`) is spread one value
 *   per row when the baseline leaves room for exactly one output column. Anything else is counted as
 *   `output_row_mismatch` and the rows are profiled with their outputs missing. A single output is never
 *   broadcast to several rows (it would count one prediction several times).
 * - JSON payloads: an object is one row by key (keys not in the baseline become new columns); an array of
 *   objects is several rows; an array of arrays is several positional rows; a number, string or an array
 *   of scalars is one positional row (typical of model outputs: `0.81`, `[0.1, 0.9]`). Nested values are
 *   kept as JSON text and counted (`nested_value`). `application/jsonlines` holds one document per line.
 * - BASE64 payloads are read as CSV or JSON by their content type; anything else is `undecodable_payload`.
 * - A preprocessor replaces all of the above: its flat object is one row, an array several rows, `null`,
 *   `undefined` or `[]` drops the record (tallied as `dropped_by_preprocessor`). Keys that name baseline
 *   columns are matched by name; when no key does, the values are taken in key order and matched
 *   positionally, as SageMaker does (hence its samples' zero-padded keys). A throw or a bad return value
 *   is counted as `preprocessor_error` and the record skipped.
 * - At most `maxNewColumns` columns beyond the baseline are created; later ones are counted
 *   (`too_many_columns`) and their values left out.
 *
 * This file pairs and places the cells; payloads are decoded in `payload-rows.ts`, preprocessors run in
 * `preprocessed-rows.ts`.
 */
import type { IssueLog } from '../core/issues.js';
import type { Cell } from '../core/types.js';
import { type CsvSplitState, splitCsvLine, trimLineEnd } from './csv-split.js';
import { type Decoded, decodePayload, jsonCell, malformedCsv, rowAt } from './payload-rows.js';
import { buildPreprocessed, type RecordPreprocessor } from './preprocessed-rows.js';
import type { PlainCsvTaker } from './read-capture.js';
import { type CaptureRecord, recordIssue } from './records.js';
import { type ColumnResolver, RowColumns } from './row-columns.js';

export type { PreprocessedRow, PreprocessorResult, RecordPreprocessor } from './preprocessed-rows.js';

export type { ColumnResolver } from './row-columns.js';

export interface RowBuilderOptions {
  /** Feature names in baseline order (the `features` order of statistics.json). */
  baselineColumns: string[];
  /** Where the output (prediction) values go in a CSV row. Default `START` (spec §1.3). */
  outputColumnsPosition?: 'START' | 'END';
  preprocessor?: RecordPreprocessor;
  issues: IssueLog;
  /** Columns created beyond the baseline, at most. Default 1000. */
  maxNewColumns?: number;
  /**
   * Where plain CSV rows (`PlainCsvRow`s handed to the `plainCsv` taker) go when they have as many cells as
   * the baseline has columns: as where their cells lie in the bytes read (output and input in row order),
   * so a profile reads their numbers in place (`DatasetProfile.addDelimitedRow`). Every other row is built.
   */
  delimitedRows?: DelimitedRowSink;
}

/** Takes a row as the ASCII bytes of its comma-separated cells (see `DatasetProfile.countDelimitedCells`). */
export interface DelimitedRowSink {
  /** The number of cells of `bytes[start…end)` then `bytes[secondStart…secondEnd)`; the row is kept. */
  countDelimitedCells(
    bytes: Buffer,
    start: number,
    end: number,
    secondStart: number,
    secondEnd: number,
  ): number;
  /** Adds the row counted last. */
  addDelimitedRow(): void;
}

/** Emits 0..n rows for a record; returns a promise only when an async preprocessor returned one. */
export type RowBuilder = (record: CaptureRecord, emit: (cells: Cell[]) => void) => void | Promise<void>;

function hasLineBreak(text: string): boolean {
  return text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1;
}

class CaptureRowBuilder {
  readonly #issues: IssueLog;
  readonly #outputFirst: boolean;
  readonly #baselineWidth: number;
  readonly #baselineNames: Set<string>;
  readonly #columns: RowColumns;
  readonly #csvState: CsvSplitState = { malformed: false };
  readonly #preprocessor: RecordPreprocessor | undefined;
  /** The sink of plain CSV rows, when rows may go there by position (decided once: see the constructor). */
  readonly #delimitedRows: DelimitedRowSink | undefined;

  constructor(resolver: ColumnResolver, options: RowBuilderOptions) {
    this.#issues = options.issues;
    this.#outputFirst = (options.outputColumnsPosition ?? 'START') === 'START';
    this.#baselineWidth = options.baselineColumns.length;
    this.#baselineNames = new Set(options.baselineColumns);
    this.#preprocessor = options.preprocessor;
    this.#columns = new RowColumns(resolver, options.baselineColumns, options.maxNewColumns ?? 1000);
    // Delimited rows go to the baseline's columns by position: only when each position is its column's
    // index. The identity width grows only contiguously past the baseline, so this holds for good.
    this.#delimitedRows =
      this.#preprocessor === undefined && this.#baselineWidth <= this.#columns.identityWidth
        ? options.delimitedRows
        : undefined;
  }

  /** Takes the `PlainCsvRow`s of `readCaptureEntries` before records are built, when rows go to a sink. */
  get plainCsv(): PlainCsvTaker | undefined {
    return this.#delimitedRows === undefined ? undefined : this.#takePlainCsv;
  }

  /**
   * A plain CSV row (no quotes, no line break: a JSON string without escapes has neither) to the delimited
   * sink when it is as wide as the baseline; false otherwise (nothing added).
   */
  readonly #takePlainCsv: PlainCsvTaker = (row) => {
    const sink = this.#delimitedRows!;
    const cells = this.#outputFirst
      ? sink.countDelimitedCells(row.bytes, row.outputStart, row.outputEnd, row.inputStart, row.inputEnd)
      : sink.countDelimitedCells(row.bytes, row.inputStart, row.inputEnd, row.outputStart, row.outputEnd);
    if (cells !== this.#baselineWidth) return false;
    sink.addDelimitedRow();
    return true;
  };

  build(record: CaptureRecord, emit: (cells: Cell[]) => void): void | Promise<void> {
    if (this.#preprocessor !== undefined)
      return buildPreprocessed(this.#preprocessor, record, emit, this.#emitFlat, this.#issues);
    const input = record.input;
    const output = record.output;
    // Fast path: single-line CSV on both sides (the common SageMaker case).
    if (
      (input === undefined || input.encoding === 'CSV') &&
      (output === undefined || output.encoding === 'CSV')
    ) {
      const inText = input === undefined ? undefined : trimLineEnd(input.data);
      const outText = output === undefined ? undefined : trimLineEnd(output.data);
      if (
        (inText === undefined || (inText.length > 0 && !hasLineBreak(inText))) &&
        (outText === undefined || (outText.length > 0 && !hasLineBreak(outText)))
      ) {
        const row: Cell[] = [];
        const state = this.#csvState;
        state.malformed = false;
        if (this.#outputFirst) {
          if (outText !== undefined) splitCsvLine(outText, row, state);
          if (inText !== undefined) splitCsvLine(inText, row, state);
          if (outText === undefined && row.length < this.#baselineWidth) this.#padMissingOutput(row, record);
        } else {
          if (inText !== undefined) splitCsvLine(inText, row, state);
          if (outText !== undefined) splitCsvLine(outText, row, state);
        }
        if (state.malformed) malformedCsv(this.#issues, record);
        this.#emitPositional(row, record, emit);
        return;
      }
    }
    this.#buildGeneral(record, emit);
  }

  // ---- general path: multi-row CSV, JSON, BASE64 ------------------------------------------------

  #buildGeneral(record: CaptureRecord, emit: (cells: Cell[]) => void): void {
    const input = record.input === undefined ? undefined : this.#decode(record, 'input');
    const output = record.output === undefined ? undefined : this.#decode(record, 'output');
    if (input === null || output === null) return; // counted by #decode
    if (input === undefined && output === undefined) return;

    const inCount = input === undefined ? 0 : input.rows ? input.rows.length : input.named.length;
    if (input !== undefined && inCount === 0) {
      this.#issue('empty_payload', record, 'the input payload holds no rows');
      return;
    }
    const rowCount =
      input === undefined ? (output!.rows ? output!.rows.length : output!.named.length) : inCount;
    if (rowCount === 0) {
      this.#issue('empty_payload', record, 'the output payload holds no rows');
      return;
    }
    // Pair outputs with input rows.
    let outRows: Decoded | undefined = output;
    if (input !== undefined && output !== undefined) {
      const outCount = output.rows ? output.rows.length : output.named.length;
      if (outCount !== inCount) {
        outRows = undefined;
        const single = output.rows && outCount === 1 ? output.rows[0]! : undefined;
        const inWidth = input.rows ? input.rows[0]!.length : 0;
        const roomForOne = input.rows === undefined || this.#baselineWidth - inWidth === 1;
        if (single !== undefined && single.length === inCount && roomForOne) {
          outRows = { rows: single.map((cell) => [cell]) };
        } else {
          this.#issue(
            'output_row_mismatch',
            record,
            `${outCount} output row(s) for ${inCount} input row(s): outputs left out`,
          );
        }
      }
    }
    for (let r = 0; r < rowCount; r++) {
      const inPart = rowAt(input, r);
      const outPart = rowAt(outRows, r);
      const inPositional = Array.isArray(inPart);
      const outPositional = Array.isArray(outPart);
      if ((inPart === undefined || inPositional) && (outPart === undefined || outPositional)) {
        // Entirely positional: concatenate like CSV.
        const inCells = inPart as Cell[] | undefined;
        const outCells = outPart as Cell[] | undefined;
        let row: Cell[];
        if (outCells === undefined) {
          // Outputs missing (mismatch): keep the input at its baseline place.
          const pad = this.#outputFirst ? Math.max(0, this.#baselineWidth - inCells!.length) : 0;
          if (pad > 0 && output === undefined) {
            row = [...inCells!];
            this.#padMissingOutput(row, record);
          } else row = pad === 0 ? inCells! : [...new Array<Cell>(pad).fill(undefined), ...inCells!];
          this.#emitPositional(row, record, emit, output !== undefined);
          continue;
        }
        if (inCells === undefined) row = outCells;
        else row = this.#outputFirst ? [...outCells, ...inCells] : [...inCells, ...outCells];
        this.#emitPositional(row, record, emit);
        continue;
      }
      // Mixed or named: positional parts take baseline places, named parts go by key.
      const cells: Cell[] = [];
      if (inPart !== undefined) {
        if (inPositional) {
          const inCells = inPart as Cell[];
          const offset =
            this.#outputFirst && outPart !== undefined
              ? Math.max(0, this.#baselineWidth - inCells.length)
              : 0;
          this.#placePositional(inCells, offset, cells, record);
        } else this.#placeNamed(inPart as Record<string, unknown>, cells, record);
      }
      if (outPart !== undefined) {
        if (outPositional) {
          const outCells = outPart as Cell[];
          const offset = this.#outputFirst ? 0 : Math.max(0, this.#baselineWidth - outCells.length);
          this.#placePositional(outCells, offset, cells, record);
        } else this.#placeNamed(outPart as Record<string, unknown>, cells, record);
      }
      emit(cells);
    }
  }

  /** One side's payload → rows; null = unusable (counted). */
  #decode(record: CaptureRecord, side: 'input' | 'output'): Decoded | null {
    const payload = side === 'input' ? record.input! : record.output!;
    return decodePayload(payload, record, side, this.#issues, this.#csvState);
  }

  #cell(value: unknown, record: CaptureRecord, column: string): Cell {
    return jsonCell(value, record, column, this.#issues);
  }

  // ---- placing cells --------------------------------------------------------------------------

  /**
   * A record with no captured output (inputs-only capture, a failed invocation) whose positional input is
   * narrower than the baseline: with outputs first (START), the input keeps its baseline place instead of
   * sliding left into the output columns, and the record is counted (`missing_output`).
   */
  #padMissingOutput(row: Cell[], record: CaptureRecord): void {
    const missing = this.#baselineWidth - row.length;
    this.#issue(
      'missing_output',
      record,
      `no endpointOutput: the first ${missing} (output) column(s) are missing`,
    );
    row.unshift(...new Array<Cell>(missing).fill(undefined));
  }

  #emitPositional(
    row: Cell[],
    record: CaptureRecord,
    emit: (cells: Cell[]) => void,
    skipWidthCheck = false,
  ): void {
    const width = row.length;
    if (!skipWidthCheck && width !== this.#baselineWidth && this.#baselineWidth > 0) {
      this.#issue('column_count', record, `${width} columns, the baseline has ${this.#baselineWidth}`);
    }
    if (width <= this.#columns.identityWidth) {
      emit(row);
      return;
    }
    const cells: Cell[] = [];
    this.#placePositional(row, 0, cells, record);
    emit(cells);
  }

  #placePositional(values: Cell[], offset: number, cells: Cell[], record: CaptureRecord): void {
    for (let i = 0; i < values.length; i++) {
      const index = this.#columns.ofPosition(offset + i);
      if (index === -1) {
        this.#tooManyColumns(record, values.length - i);
        return;
      }
      cells[index] = values[i];
    }
  }

  #placeNamed(values: Record<string, unknown>, cells: Cell[], record: CaptureRecord): void {
    for (const name of Object.keys(values)) {
      const index = this.#columns.ofName(name);
      if (index === -1) {
        this.#tooManyColumns(record, 1, name);
        continue;
      }
      if (cells[index] !== undefined) {
        this.#issue(
          'duplicate_column',
          record,
          'the input and the output both have this column: output kept',
          name,
        );
      }
      cells[index] = this.#cell(values[name], record, name);
    }
  }

  // ---- preprocessor -----------------------------------------------------------------------------

  /** A preprocessor's flat object as one row: by name, or in key order when no key names a baseline column. */
  readonly #emitFlat = (
    values: Record<string, unknown>,
    record: CaptureRecord,
    emit: (cells: Cell[]) => void,
  ): void => {
    const keys = Object.keys(values);
    let byName = this.#baselineWidth === 0;
    for (let i = 0; !byName && i < keys.length; i++) if (this.#baselineNames.has(keys[i]!)) byName = true;
    if (byName || keys.length === 0) {
      const cells: Cell[] = [];
      this.#placeNamed(values, cells, record);
      emit(cells);
      return;
    }
    // No key names a baseline column: values in key order, matched positionally (SageMaker's rule).
    keys.sort();
    const row: Cell[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) row[i] = this.#cell(values[keys[i]!], record, keys[i]!);
    this.#emitPositional(row, record, emit);
  };

  // ---- issues -----------------------------------------------------------------------------------

  #tooManyColumns(record: CaptureRecord, dropped: number, column?: string): void {
    this.#issue(
      'too_many_columns',
      record,
      `more than ${this.#columns.maxNewColumns} columns beyond the baseline: ${dropped} value(s) left out`,
      column,
    );
  }

  #issue(kind: string, record: CaptureRecord, message: string, column?: string): void {
    recordIssue(this.#issues, kind, record, message, column);
  }
}

/**
 * A function that turns each capture record into rows for `resolver`'s columns and hands them to
 * `emit` (0..n times). It returns a promise only when an async preprocessor returned one; callers do
 * `const pending = build(record, emit); if (pending) await pending;`. The emitted array belongs to the
 * caller (it is not reused).
 */
export function createRowBuilder(resolver: ColumnResolver, options: RowBuilderOptions): RowBuilder {
  return createCaptureRows(resolver, options).build;
}

/**
 * The row builder (see `createRowBuilder`) and, when plain CSV rows go to `options.delimitedRows` (no
 * preprocessor), the taker of the `PlainCsvRow`s that `readCaptureEntries` yields (`plainCsv`): those rows
 * then go to the sink straight from the bytes read, profiled as building their records would profile them.
 */
export function createCaptureRows(
  resolver: ColumnResolver,
  options: RowBuilderOptions,
): { build: RowBuilder; plainCsv: PlainCsvTaker | undefined } {
  const builder = new CaptureRowBuilder(resolver, options);
  return { build: (record, emit) => builder.build(record, emit), plainCsv: builder.plainCsv };
}
