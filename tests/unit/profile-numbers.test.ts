/**
 * The number parser of `classifyText` (exact fast path for mantissas below 2^53 and powers of ten within
 * 10^±22, `Number()` beyond) against `Number()`, and `DelimitedCells`' (a CSV row's bytes) against both:
 * random and adversarial digit strings (17 significant digits, halfway cases, subnormals, long mantissas,
 * exponents at the edges of the double range, signs, leading zeros).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../support/fast-check.js';
import { DelimitedCells, OTHER } from '../../src/metrics/profile/delimited-cells.js';
import { classifyRange, classifyText, parsed, ValueClass } from '../../src/metrics/profile/infer-type.js';

/** The value classifyText leaves for a numeric text (-0 folded to 0), NaN for other texts. */
function parseDecimal(text: string): number {
  const cls = classifyText(text);
  return cls === ValueClass.Integral || cls === ValueClass.Fractional ? parsed.value : Number.NaN;
}

/** What Number() reads for a Deequ-numeric text (Deequ allows a space after the sign). */
function reference(text: string): number {
  return Number(text.replace(/^([-+]?) /, '$1'));
}

const cells = new DelimitedCells();

/**
 * `classifyRange` of the text where it lies within a CSV line: the same class and value as `classifyText`;
 * and `DelimitedCells` of the line's bytes finds the cell, and when it reads it as a number (not `OTHER`),
 * the same class and value.
 */
function inPlace(text: string): number {
  const line = `7,${text},-1.5e3`;
  const cls = classifyRange(line, 2, 2 + text.length);
  const value = parsed.value;
  if (cls !== classifyText(text) || !Object.is(value, parsed.value))
    throw new Error(
      `${text}: classifyRange ${cls} ${value}, classifyText ${classifyText(text)} ${parsed.value}`,
    );
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes(',')) {
    const bytes = Buffer.from(line, 'latin1');
    if (
      cells.scan(bytes, 0, bytes.length, 0, 0) !== 3 ||
      cells.starts[1] !== 2 ||
      cells.ends[1] !== 2 + text.length
    )
      throw new Error(`${text}: DelimitedCells found other cells`);
    const kind = cells.kinds[1]!;
    if (kind !== OTHER && (kind !== cls || !Object.is(cells.values[1], value)))
      throw new Error(`${text}: DelimitedCells ${kind} ${cells.values[1]}, classifyText ${cls} ${value}`);
    if (kind === OTHER && /^[-+]?\d+(\.\d+)?$/.test(text) && text.replace(/\D/g, '').length <= 15)
      throw new Error(`${text}: DelimitedCells left a short decimal to its text`);
  }
  return value;
}

function same(text: string): void {
  const got = parseDecimal(text);
  const r = reference(text);
  const want = r === 0 ? 0 : r;
  if (!Object.is(got, want)) throw new Error(`${text}: parseDecimal ${got}, Number ${want}`);
  inPlace(text);
}

const digits = (min: number, max: number) =>
  fc.string({
    unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'),
    minLength: min,
    maxLength: max,
  });

describe('classifyText reads numbers as Number() does', () => {
  it('on fixed hard cases', () => {
    const cases = [
      '0',
      '-0',
      '+0',
      '0.0',
      '-0.0',
      '00012',
      '-000.000',
      '0e0',
      '1e0',
      '- 5',
      '+ 1.5',
      ' 7',
      '9007199254740992',
      '9007199254740993',
      '9007199254740995',
      '18446744073709551615',
      '18446744073709551616',
      '0.1',
      '0.2',
      '0.30000000000000004',
      '0.12345678901234567',
      '1.7976931348623157e308',
      '1.7976931348623159e308',
      '2.2250738585072014e-308',
      '2.2250738585072011e-308',
      '4.9406564584124654e-324',
      '2.4703282292062327e-324',
      '2.4703282292062328e-324',
      '5e-324',
      '1e-324',
      '1e-400',
      '1e309',
      '-1e309',
      '1e308',
      '1e-308',
      '1e23',
      '8.98846567431158e307',
      '9007199254740993.0',
      '123456789012345678',
      '1234567890123456789',
      '12345678901234567890',
      '1.00000000000000011102230246251565404236316680908203125',
      '1.00000000000000011102230246251565404236316680908203124',
      '7.3177701707893310e+15',
      '3.5e-5',
      '4.35e22',
      '1e22',
      '1e-22',
      '1.5e23',
      '9999999999999999e-22',
      '123e-20',
      '0.000000000000000000000000000001',
      '100000000000000000000000e-5',
      '1e99999999999999999999',
      '1e-99999999999999999999',
      '0e99999',
      '2.2250738585072012e-308',
      '1.448997445238699',
      '6.0221409e+23',
      '7.038531e-26',
      '1.0e-7',
      // Edges of the exact fast path (mantissa < 2^53, power of ten within 10^±22; issue 15).
      '900719925474099.1',
      '9007199254740991',
      '9007199254740991.5',
      '90071992547409.915',
      '0.0000000000000000000001',
      '0.00000000000000000000001',
      '0.0000000000000000000012345',
      '9007199254740991e22',
      '9007199254740991e23',
      '9007199254740991e-22',
      '9007199254740991e-23',
      '9007199254740991.0e-22',
      '1.5e22',
      '15e21',
      '123.456e-19',
      '123.456e25',
      '-0e5',
      '0.0e-30',
      '- 1.25e3',
    ];
    for (const text of cases) same(text);
  });

  it('on random doubles printed shortest, with 17 digits and in exponent form', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        for (const text of [String(x), x.toPrecision(17), x.toExponential(16), x.toExponential(19)]) {
          if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) same(text);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('on random digit strings: long mantissas, leading zeros, signs, exponents at the edges', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', '-', '+', '- ', '+ '),
        fc.constantFrom('', '0', '000'),
        digits(1, 25),
        fc.option(digits(1, 25)),
        fc.option(
          fc.tuple(
            fc.constantFrom('e', 'E'),
            fc.constantFrom('', '-', '+'),
            fc.integer({ min: 0, max: 400 }),
          ),
        ),
        (sign, zeros, int, fraction, exp) => {
          let text = `${sign}${zeros}${int}`;
          if (fraction !== null) text += `.${fraction}`;
          if (exp !== null) text += `${exp[0]}${exp[1]}${exp[2]}`;
          same(text);
        },
      ),
      { numRuns: 50_000 },
    );
  });

  it('on halfway and near-halfway 17-19 digit mantissas around random doubles', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-320, max: 1e308, noNaN: true }),
        fc.integer({ min: -3, max: 3 }),
        (x, d) => {
          const [m, e] = x.toExponential(18).split('e');
          const digitsOnly = m!.replace('.', '');
          const last = Math.max(0, Math.min(9, Number(digitsOnly.at(-1)) + d));
          same(`${digitsOnly.slice(0, -1)}${last}e${Number(e) - 18}`);
          same(`${digitsOnly.slice(0, 17)}5e${Number(e) - 16}`);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('returns NaN for texts that are not numeric by the patterns', () => {
    for (const text of [
      '',
      '.5',
      '5.',
      '1e',
      '1e+',
      'e5',
      '1.2.3',
      'abc',
      '--1',
      '1 ',
      'true',
      'NaN',
      'Infinity',
      '0x10',
      'false',
      'truex',
      'tru',
      '+true',
      '- 5',
      '+ 7.25',
    ]) {
      if (text !== '- 5' && text !== '+ 7.25') expect(parseDecimal(text)).toBeNaN();
      inPlace(text);
    }
  });

  it('classifyText keeps the classes and folds -0 to 0', () => {
    expect(classifyText('-0.0')).toBe(ValueClass.Fractional);
    expect(Object.is(parsed.value, 0)).toBe(true);
    expect(classifyText('12345678901234567')).toBe(ValueClass.Integral);
    expect(parsed.value).toBe(Number('12345678901234567'));
    expect(classifyText('0.12345678901234567')).toBe(ValueClass.Fractional);
    expect(parsed.value).toBe(Number('0.12345678901234567'));
    expect(classifyText('true')).toBe(ValueClass.Boolean);
    expect(classifyText('1e5x')).toBe(ValueClass.String);
  });
});
