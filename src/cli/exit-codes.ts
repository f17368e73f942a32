/**
 * The exit codes of every `driftwatch` command (README: "Exit codes"), distinct so scripts and CI gates can
 * branch on them:
 *
 * | code | meaning |
 * | ---- | ------- |
 * | 0 | done: the execution completed (with or without violations, unless `--fail-on-violations`) |
 * | 1 | the execution ran and `Failed` (no captured data, no ground truth to merge...) |
 * | 2 | usage, config or input error: a bad flag or config, an unreadable baseline or input, access denied, Redis or S3 unreachable; nothing was computed |
 * | 3 | the execution completed with violations and `--fail-on-violations` was given; `alarms sync`: an alarm name is held by an alarm driftwatch does not manage |
 * | 4 | internal error (a bug: `DRIFTWATCH_DEBUG=1` shows the stack) |
 */
export const EXIT = {
  ok: 0,
  executionFailed: 1,
  usage: 2,
  violations: 3,
  internal: 4,
} as const;

/** The exit code of an execution's status (`--fail-on-violations` turns violations into a failure of the gate). */
export function exitCodeOfStatus(
  status: 'Completed' | 'CompletedWithViolations' | 'Failed',
  failOnViolations: boolean | undefined,
): number {
  if (status === 'Failed') return EXIT.executionFailed;
  if (status === 'CompletedWithViolations' && failOnViolations) return EXIT.violations;
  return EXIT.ok;
}
