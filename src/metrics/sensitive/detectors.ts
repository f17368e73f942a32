/**
 * Sensitive-data detectors: which well-defined sensitive type, if any, one cell's text is.
 *
 * Each detector has an id (Amazon Macie's managed data identifier id where Macie has one, `macie: true`),
 * and checks the format and, where the type has one, the checksum with the `validator` library:
 *
 * | id                         | what                                             | how                              |
 * |----------------------------|--------------------------------------------------|----------------------------------|
 * | EMAIL_ADDRESS              | an e-mail address                                | validator isEmail (TLD required)  |
 * | CREDIT_CARD_NUMBER         | a payment card number, 13–19 digits (` `/`-` ok) | issuer prefix + Luhn (isCreditCard) |
 * | BANK_ACCOUNT_NUMBER        | an IBAN                                          | country length + mod-97 (isIBAN)  |
 * | USA_SOCIAL_SECURITY_NUMBER | `AAA-GG-SSSS`, valid area/group/serial           | SSA rules (no 000/666/9xx, 00, 0000) |
 * | PHONE_NUMBER               | `+` and 8–15 digits, or US `(AAA) EEE-NNNN` forms | E.164 shape / NANP rules          |
 * | IP_ADDRESS (ours)          | an IPv4 dotted quad or an IPv6 address           | validator isIP                    |
 * | AWS_ACCESS_KEY_ID (ours)   | `AKIA`/`ASIA` + 16 base-32 characters            | shape                             |
 * | AWS_CREDENTIALS            | an AWS secret access key: 40 base-64 characters  | shape, mixed case and digits, not hex |
 *
 * A whole cell must be the value (trimmed): a sentence that mentions an address is not matched; that keeps
 * precision high and the cost low. Plain digit runs are only card numbers (the Luhn and issuer checks
 * reject ~99.9% of other 13–19 digit numbers); 9 plain digits are not an SSN and 10 plain digits are not a
 * phone number (Macie, too, needs a keyword for those).
 *
 * Cost: one scan of the text's characters computes a shape (digits, letters, separators) and at most one
 * detector runs, chosen by that shape; most categorical values ("gold", "mobile") are rejected by the scan.
 */
import isCreditCardModule from 'validator/lib/isCreditCard.js';
import isEmailModule from 'validator/lib/isEmail.js';
import isIbanModule from 'validator/lib/isIBAN.js';
import isIpModule from 'validator/lib/isIP.js';

// The lib files are CommonJS: Node's ESM loader gives `module.exports` (a function, or `{ default }` when the
// file does not reassign it), vitest may give `exports.default`; take the function either way.
type Fn<T> = T | { default: T };
const fn = <T>(m: Fn<T>): T => (typeof m === 'function' ? m : (m as { default: T }).default);
const isCreditCard = fn(isCreditCardModule as Fn<typeof isCreditCardModule.default>);
const isEmail = fn(isEmailModule as Fn<typeof isEmailModule.default>);
const isIban = fn(isIbanModule as Fn<typeof isIbanModule.default>);
const isIp = fn(isIpModule as Fn<typeof isIpModule.default>);

export const sensitiveTypes = [
  'EMAIL_ADDRESS',
  'CREDIT_CARD_NUMBER',
  'BANK_ACCOUNT_NUMBER',
  'USA_SOCIAL_SECURITY_NUMBER',
  'PHONE_NUMBER',
  'IP_ADDRESS',
  'AWS_ACCESS_KEY_ID',
  'AWS_CREDENTIALS',
] as const;

export type SensitiveType = (typeof sensitiveTypes)[number];

/** The index of each type in `sensitiveTypes` (the findings counters are indexed by it). */
export const SensitiveIndex = Object.freeze(
  Object.fromEntries(sensitiveTypes.map((t, i) => [t, i])) as Record<SensitiveType, number>,
);

export interface SensitiveTypeInfo {
  id: SensitiveType;
  /** True when `id` is Amazon Macie's managed data identifier id for the type. */
  macie: boolean;
  description: string;
}

export const sensitiveTypeInfo = {
  EMAIL_ADDRESS: { id: 'EMAIL_ADDRESS', macie: true, description: 'e-mail address' },
  CREDIT_CARD_NUMBER: {
    id: 'CREDIT_CARD_NUMBER',
    macie: true,
    description: 'payment card number (issuer prefix, Luhn-valid)',
  },
  BANK_ACCOUNT_NUMBER: {
    id: 'BANK_ACCOUNT_NUMBER',
    macie: true,
    description: 'IBAN (country length, mod-97 checksum)',
  },
  USA_SOCIAL_SECURITY_NUMBER: {
    id: 'USA_SOCIAL_SECURITY_NUMBER',
    macie: true,
    description: 'US social security number (AAA-GG-SSSS)',
  },
  PHONE_NUMBER: { id: 'PHONE_NUMBER', macie: true, description: 'phone number (+E.164 or US format)' },
  IP_ADDRESS: { id: 'IP_ADDRESS', macie: false, description: 'IPv4 or IPv6 address' },
  AWS_ACCESS_KEY_ID: { id: 'AWS_ACCESS_KEY_ID', macie: false, description: 'AWS access key id' },
  AWS_CREDENTIALS: { id: 'AWS_CREDENTIALS', macie: true, description: 'AWS secret access key' },
} as const satisfies Record<SensitiveType, SensitiveTypeInfo>;

/** No sensitive type. */
export const NOT_SENSITIVE = -1;

const MAX_LENGTH = 254; // longest e-mail address (RFC 5321 path limit)

function isSsn(text: string): boolean {
  // AAA-GG-SSSS: area 001–899 except 666, group 01–99, serial 0001–9999.
  if (text.length !== 11 || text.charCodeAt(3) !== 45 || text.charCodeAt(6) !== 45) return false;
  const area = text.slice(0, 3);
  const group = text.slice(4, 6);
  const serial = text.slice(7);
  if (!/^\d{3}$/.test(area) || !/^\d{2}$/.test(group) || !/^\d{4}$/.test(serial)) return false;
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const E164 = /^\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,4}){1,4}$/;
const NANP = /^(?:\+?1[ .-]?)?(?:\(([2-9]\d{2})\) ?|([2-9]\d{2})[.-])([2-9]\d{2})[.-](\d{4})$/;

function isPhone(text: string, digits: number): boolean {
  if (text.charCodeAt(0) === 43 /* + */) return digits >= 8 && digits <= 15 && E164.test(text);
  return digits === 10 && NANP.test(text);
}

const ACCESS_KEY_ID = /^(?:AKIA|ASIA|AROA|AIDA)[A-Z2-7]{16}$/;
const SECRET_KEY = /^[A-Za-z0-9/+]{40}$/;

/**
 * The index in `sensitiveTypes` of the type `text` is (the whole text, trimmed of spaces), or
 * `NOT_SENSITIVE`.
 */
export function detectSensitive(raw: string): number {
  let text = raw;
  if (text.length < 7 || text.length > MAX_LENGTH) return NOT_SENSITIVE;
  const first = text.charCodeAt(0);
  const lastCode = text.charCodeAt(text.length - 1);
  if (first === 32 || lastCode === 32) {
    text = text.trim();
    if (text.length < 7) return NOT_SENSITIVE;
  }
  // One scan: the shape of the text.
  let digits = 0;
  let upper = 0;
  let lower = 0;
  let at = 0;
  let colons = 0;
  let dots = 0;
  let dashes = 0;
  let spaces = 0;
  let other = 0; // anything else: + / ( ) _ and non-ASCII
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
    else if (c === 46) dots++;
    else if (c === 45) dashes++;
    else if (c === 32) spaces++;
    else if (c === 64) at++;
    else if (c === 58) colons++;
    else other++;
  }
  if (at === 1) return isEmail(text) ? SensitiveIndex.EMAIL_ADDRESS : NOT_SENSITIVE;
  if (at > 1) return NOT_SENSITIVE;
  const letters = upper + lower;
  if (colons >= 2) {
    return spaces === 0 && other === 0 && isIp(text, 6) ? SensitiveIndex.IP_ADDRESS : NOT_SENSITIVE;
  }
  if (letters === 0) {
    if (dots === 3 && digits === n - 3) return isIp(text, 4) ? SensitiveIndex.IP_ADDRESS : NOT_SENSITIVE;
    if (
      digits >= 13 &&
      digits <= 19 &&
      dots === 0 &&
      colons === 0 &&
      other === 0 &&
      digits + dashes + spaces === n
    ) {
      if (isCreditCard(text)) return SensitiveIndex.CREDIT_CARD_NUMBER;
    }
    if (digits === 9 && dashes === 2 && n === 11) {
      return isSsn(text) ? SensitiveIndex.USA_SOCIAL_SECURITY_NUMBER : NOT_SENSITIVE;
    }
    if (digits >= 8 && digits <= 15 && isPhone(text, digits)) return SensitiveIndex.PHONE_NUMBER;
    return NOT_SENSITIVE;
  }
  // Letters and digits.
  if (n === 20 && upper + digits === 20) {
    return ACCESS_KEY_ID.test(text) ? SensitiveIndex.AWS_ACCESS_KEY_ID : NOT_SENSITIVE;
  }
  if (n === 40 && upper > 0 && lower > 0 && digits > 0 && SECRET_KEY.test(text)) {
    // A 40-character hex digest (SHA-1) has no upper and lower case letters mixed with G–Z.
    return /[G-Zg-z]/.test(text) ? SensitiveIndex.AWS_CREDENTIALS : NOT_SENSITIVE;
  }
  if (upper >= 2 && digits >= 2 && n >= 15 && n <= 42 && dots + dashes + colons + other === 0) {
    const c0 = text.charCodeAt(0);
    const c1 = text.charCodeAt(1);
    if (c0 >= 65 && c0 <= 90 && c1 >= 65 && c1 <= 90 && isIban(text.replaceAll(' ', '')))
      return SensitiveIndex.BANK_ACCOUNT_NUMBER;
  }
  return NOT_SENSITIVE;
}

/** The type of `text`, or undefined. */
export function sensitiveTypeOf(text: string): SensitiveType | undefined {
  const i = detectSensitive(text);
  return i === NOT_SENSITIVE ? undefined : sensitiveTypes[i];
}
