/** A progress line on stderr for long reads: count and rate, at most every two seconds. */
export function progressReporter(unit: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let last = started;
  let printed = false;
  const line = (count: number, bytes: number) => {
    const seconds = Math.max(1e-3, (Date.now() - started) / 1000);
    return `${count.toLocaleString('en-US')} ${unit} read, ${Math.round(count / seconds).toLocaleString('en-US')} ${unit}/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
  };
  return {
    update(count: number, bytes: number): void {
      const now = Date.now();
      if (now - last < 2000) return;
      last = now;
      printed = true;
      stream.write(`${line(count, bytes)}\n`);
    },
    done(count: number, bytes: number): void {
      if (printed) stream.write(`${line(count, bytes)} (done)\n`);
    },
  };
}

/**
 * Progress of an execution (`run`, `run-quality`) on stderr, never stdout (so `--json` output stays one JSON
 * line): capture objects done of all, records read and their rate, at most every `intervalMs` (the CLI's
 * `DRIFTWATCH_PROGRESS_MS`, default 2000), and a last line when any was printed.
 */
export function executionProgressReporter(
  intervalMs = 2000,
  stream: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
) {
  const started = Date.now();
  let last = started;
  let printed = false;
  let latest: { objectsDone: number; objectsTotal: number; recordsRead: number } | undefined;
  const line = (p: NonNullable<typeof latest>) => {
    const seconds = Math.max(1e-3, (Date.now() - started) / 1000);
    return `objects ${p.objectsDone}/${p.objectsTotal}, ${p.recordsRead.toLocaleString('en-US')} records read, ${Math.round(p.recordsRead / seconds).toLocaleString('en-US')} records/s`;
  };
  return {
    update(progress: { objectsDone: number; objectsTotal: number; recordsRead: number }): void {
      latest = progress;
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      printed = true;
      stream.write(`${line(progress)}\n`);
    },
    done(): void {
      if (printed && latest) stream.write(`${line(latest)} (done)\n`);
    },
  };
}
