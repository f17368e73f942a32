export {
  detectSensitive,
  NOT_SENSITIVE,
  SensitiveIndex,
  type SensitiveType,
  type SensitiveTypeInfo,
  sensitiveTypeInfo,
  sensitiveTypeOf,
  sensitiveTypes,
} from './detectors.js';
export { type SensitiveFinding, SensitiveFindings, type SensitiveFindingsJSON } from './findings.js';
export { maskSensitive } from './mask.js';
