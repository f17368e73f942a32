/**
 * A generated, labelled corpus for measuring the detectors' precision and recall (bench and tests):
 * for each type, true values, look-alikes that fail the checksum or rules, and ordinary values that only
 * resemble them (order numbers, timestamps, hex digests, version strings, product codes).
 */
import type { Rng } from '../../core/random.js';
import { detectSensitive, NOT_SENSITIVE, type SensitiveType, sensitiveTypes } from './detectors.js';

export interface LabelledValue {
  text: string;
  /** The true type, or undefined for a value that is not sensitive. */
  label: SensitiveType | undefined;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const digits = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rng() * 10));
  return s;
};

function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function card(rng: Rng, valid: boolean): string {
  const prefix = pick(rng, ['4', '51', '55', '34', '37', '6011']);
  const length = prefix === '34' || prefix === '37' ? 15 : 16;
  const body = prefix + digits(rng, length - 1 - prefix.length);
  const check = luhnCheckDigit(body);
  const number = body + String(valid ? check : (check + 1 + Math.floor(rng() * 9)) % 10);
  return rng() < 0.3 ? number.replace(/(\d{4})(?=\d)/g, '$1 ') : number;
}

function mod97(numeric: string): number {
  let r = 0;
  for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
  return r;
}

function iban(rng: Rng, valid: boolean): string {
  const [country, length] = pick(rng, [
    ['DE', 22],
    ['FR', 27],
    ['GB', 22],
    ['NL', 18],
  ] as const);
  let bban = digits(rng, length - 4);
  if (country === 'GB') bban = `NWBK${digits(rng, 14)}`;
  if (country === 'NL') bban = `ABNA${digits(rng, 10)}`;
  if (country === 'FR') bban = `${digits(rng, 21)}${digits(rng, 2)}`;
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let check = 98 - mod97(numeric);
  if (!valid) check = ((check + 1 + Math.floor(rng() * 90)) % 97) + 2;
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

function ssn(rng: Rng, valid: boolean): string {
  if (valid) {
    let area = 1 + Math.floor(rng() * 898);
    if (area === 666) area = 667;
    return `${String(area).padStart(3, '0')}-${String(1 + Math.floor(rng() * 99)).padStart(2, '0')}-${String(1 + Math.floor(rng() * 9999)).padStart(4, '0')}`;
  }
  return pick(rng, [
    `000-${digits(rng, 2)}-${digits(rng, 4)}`,
    `666-12-${digits(rng, 4)}`,
    `9${digits(rng, 2)}-34-${digits(rng, 4)}`,
    `123-00-${digits(rng, 4)}`,
  ]);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+';
const chars = (rng: Rng, alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(rng() * alphabet.length)]).join('');

/** True values and checksum-failing look-alikes of each type. */
function trueAndLookAlike(rng: Rng, type: SensitiveType): [string, string] {
  switch (type) {
    case 'EMAIL_ADDRESS': {
      const user = pick(rng, ['jane.doe', 'j.smith', 'mario+news', 'x_y', 'li.wei']);
      return [
        `${user}${Math.floor(rng() * 100)}@${pick(rng, ['example.com', 'mail.co.uk', 'corp.io'])}`,
        `${user}@localhost`,
      ];
    }
    case 'CREDIT_CARD_NUMBER':
      return [card(rng, true), card(rng, false)];
    case 'BANK_ACCOUNT_NUMBER':
      return [iban(rng, true), iban(rng, false)];
    case 'USA_SOCIAL_SECURITY_NUMBER':
      return [ssn(rng, true), ssn(rng, false)];
    case 'PHONE_NUMBER':
      return [
        pick(rng, [
          `+49 151 ${digits(rng, 8)}`,
          `+44 20 ${digits(rng, 4)} ${digits(rng, 4)}`,
          `(${2 + Math.floor(rng() * 8)}${digits(rng, 2)}) ${2 + Math.floor(rng() * 8)}${digits(rng, 2)}-${digits(rng, 4)}`,
          `+1-${2 + Math.floor(rng() * 8)}${digits(rng, 2)}-${2 + Math.floor(rng() * 8)}${digits(rng, 2)}-${digits(rng, 4)}`,
        ]),
        pick(rng, [
          `(${digits(rng, 2)}) ${digits(rng, 3)}-${digits(rng, 4)}`,
          `+${digits(rng, 4)}`,
          `(123) 045-${digits(rng, 4)}`,
        ]),
      ];
    case 'IP_ADDRESS':
      return [
        rng() < 0.7
          ? `${1 + Math.floor(rng() * 223)}.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}`
          : `2001:db8:${Math.floor(rng() * 65536).toString(16)}::${Math.floor(rng() * 65536).toString(16)}`,
        rng() < 0.7 ? `${256 + Math.floor(rng() * 700)}.1.2.3` : `2001:db8::g1::1`,
      ];
    case 'AWS_ACCESS_KEY_ID':
      return [
        `${pick(rng, ['AKIA', 'ASIA'])}${chars(rng, B32, 16)}`,
        `AKIA${chars(rng, B32, 16).toLowerCase()}`,
      ];
    case 'AWS_CREDENTIALS': {
      let key = chars(rng, B64, 40);
      if (!/[A-Z]/.test(key) || !/[a-z]/.test(key) || !/\d/.test(key)) key = `Ab1${key.slice(3)}`;
      return [key, chars(rng, '0123456789abcdef', 40)];
    }
    default: {
      const never: never = type;
      throw new Error(String(never));
    }
  }
}

/** Ordinary values that only resemble sensitive ones. */
function resemblance(rng: Rng): string {
  return pick(rng, [
    () => digits(rng, 16), // an order number
    () => String(1_600_000_000_000 + Math.floor(rng() * 1e11)), // epoch milliseconds
    () => digits(rng, 9), // an account id
    () => `${digits(rng, 3)}-${digits(rng, 3)}-${digits(rng, 3)}`, // a part number
    () => `${1 + Math.floor(rng() * 9)}.${Math.floor(rng() * 20)}.${Math.floor(rng() * 50)}`, // a version
    () =>
      `${1 + Math.floor(rng() * 9)}.${Math.floor(rng() * 20)}.${Math.floor(rng() * 50)}.${Math.floor(rng() * 999)}`, // a build number
    () => chars(rng, '0123456789abcdef', 40), // a SHA-1
    () => `SKU-${chars(rng, B32, 12)}`,
    () =>
      `2024-${String(1 + Math.floor(rng() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rng() * 28)).padStart(2, '0')}`,
    () => `${pick(rng, ['gold', 'silver', 'returning_customer', 'mobile'])}`,
    () => (rng() * 1e6).toFixed(4),
    () => `12:30:${String(Math.floor(rng() * 60)).padStart(2, '0')}`,
  ])();
}

/** `perType` true values and `perType` look-alikes of every type, and `perType * 4` resemblances. */
export function labelledCorpus(rng: Rng, perType: number): LabelledValue[] {
  const out: LabelledValue[] = [];
  for (const type of sensitiveTypes) {
    for (let i = 0; i < perType; i++) {
      const [real, lookAlike] = trueAndLookAlike(rng, type);
      out.push({ text: real, label: type }, { text: lookAlike, label: undefined });
    }
  }
  for (let i = 0; i < perType * 4; i++) out.push({ text: resemblance(rng), label: undefined });
  return out;
}

export interface DetectorScore {
  type: SensitiveType;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** Precision and recall of each detector on a labelled corpus. */
export function scoreDetectors(corpus: readonly LabelledValue[]): DetectorScore[] {
  return sensitiveTypes.map((type, index) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const { text, label } of corpus) {
      const found = detectSensitive(text);
      if (found === index && label === type) tp++;
      else if (found === index) fp++;
      else if (label === type && found !== index) fn++;
    }
    return {
      type,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    };
  });
}

export { NOT_SENSITIVE };
