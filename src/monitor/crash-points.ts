/**
 * Named points where a test can make a worker process die at once (SIGKILL to itself), to prove that
 * what a crash there leaves behind is recovered exactly once. Set `DRIFTWATCH_TEST_CRASH_AT` to the
 * point's name in the environment of a spawned worker (the CLI reads it into `setTestHooks`: library code
 * reads no environment); unset (production), `crashPoint` does nothing.
 *
 * Points: `publish:before-first-call` (claim written, nothing sent), `publish:between-batches` (after
 * the first PutMetricData call of several, before its record), `publish:before-record` (every call made,
 * the publication not recorded yet), `part:start` (a worker took a part job of a split window).
 */
export type CrashPoint =
  | 'publish:before-first-call'
  | 'publish:between-batches'
  | 'publish:before-record'
  | 'part:start';

let hooks: { crashAt?: string; maxDatumsPerCall?: string } = {};

/** Sets the test hooks of this process (the CLI passes `DRIFTWATCH_TEST_CRASH_AT` and `..._MAX_DATUMS_PER_CALL`). */
export function setTestHooks(values: { crashAt?: string; maxDatumsPerCall?: string }): void {
  hooks = { ...values };
}

export function crashPoint(point: CrashPoint): void {
  if (hooks.crashAt !== point) return;
  process.kill(process.pid, 'SIGKILL');
}

/** Datums per PutMetricData call when a test wants several batches (`DRIFTWATCH_TEST_MAX_DATUMS_PER_CALL`). */
export function testMaxDatumsPerCall(): number | undefined {
  const n = Number(hooks.maxDatumsPerCall);
  return Number.isInteger(n) && n >= 2 ? n : undefined;
}
