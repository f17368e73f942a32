/**
 * The `pii` modes (`--pii`, config `pii`) without the detectors that apply them (security/pii.ts): the
 * config schema and the command-line flags name the modes, and loading them must not load the detectors
 * (validator, ~35 ms of CPU at a worker's start).
 */
export const piiModes = ['warn', 'redact', 'fail'] as const;
/**
 * What a baseline does with sensitive values: `warn` keeps them, `redact` hashes them, `fail` refuses the data.
 */
export type PiiMode = (typeof piiModes)[number];
export const DEFAULT_PII_MODE: PiiMode = 'redact';
