/**
 * SageMaker data capture: window → objects to read (listing.ts), a capture line → a record (records.ts),
 * an object → its records in the window (read-capture.ts), records → profile rows (rows.ts), the optional
 * user record preprocessor (preprocessor.ts), and the CSV cell splitter they use (csv-split.ts).
 */
export { type CsvSplitState, readCsvRecord, splitCsvLine, splitCsvRows } from './csv-split.js';
export {
  hourPrefixes,
  listCaptureObjects,
  listHourPartitionedObjects,
  listSubfolders,
} from './listing.js';
export { loadPreprocessor } from './preprocessor.js';
export {
  type PlainCsvPayloads,
  PlainCsvRow,
  type PlainCsvTaker,
  type ReadCaptureOptions,
  readCaptureBatches,
  readCaptureEntries,
  readCaptureRecords,
} from './read-capture.js';
export {
  type CaptureEncoding,
  type CapturePayload,
  type CaptureRecord,
  isBase64,
  parseCaptureLine,
  parseUtcTime,
} from './records.js';
export {
  type ColumnResolver,
  createCaptureRows,
  createRowBuilder,
  type PreprocessedRow,
  type PreprocessorResult,
  type RecordPreprocessor,
  type RowBuilder,
  type RowBuilderOptions,
} from './rows.js';
