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
