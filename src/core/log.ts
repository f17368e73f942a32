/** Structured JSON logs (pino) on stderr, so stdout stays free for command output. */
import { type Logger, pino } from 'pino';

export type { Logger };

/** A pino logger on stderr. `level` defaults to `info` (the CLI passes `DRIFTWATCH_LOG_LEVEL`). */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'driftwatch',
      level: options.level ?? 'info',
    },
    pino.destination(2),
  );
}

/** A logger that drops everything (for library calls and tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
