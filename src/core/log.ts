/** Structured JSON logs (pino) on stderr, so stdout stays free for command output. */
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'driftwatch',
      level: options.level ?? process.env.DRIFTWATCH_LOG_LEVEL ?? 'info',
    },
    pino.destination(2),
  );
}

/** A logger that drops everything (for library calls and tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
