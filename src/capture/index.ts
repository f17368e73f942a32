/**
 * SageMaker data capture: window → objects to read (listing.ts), capture lines → records (records.ts),
 * records → profile rows (rows.ts), the optional user record preprocessor (preprocessor.ts).
 */
export {
  hourPath,
  hourPrefixes,
  listCaptureObjects,
  listHourPartitionedObjects,
  listSubfolders,
} from './listing.js';
