/**
 * The masked form of a sensitive value, for anything a person reads (reports, HTML, dashboard, logs):
 * the type's id and, for card numbers only, the last four digits (what a receipt shows).
 */
import type { SensitiveType } from './detectors.js';

export function maskSensitive(text: string, type: SensitiveType): string {
  if (type === 'CREDIT_CARD_NUMBER') {
    const digits = text.replace(/\D/g, '');
    return `[${type} ****${digits.slice(-4)}]`;
  }
  return `[${type}]`;
}
