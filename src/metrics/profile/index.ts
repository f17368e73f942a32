export { ColumnProfile, type ColumnProfileJSON, DEFAULT_CATEGORY_LIMIT } from './column-profile.js';
export { DatasetProfile, type DatasetProfileJSON } from './dataset-profile.js';
export {
  classifyText,
  classifyValue,
  type InferredType,
  inferColumnType,
  parsed,
  ValueClass,
} from './infer-type.js';
export { Moments, type MomentsState } from './moments.js';
