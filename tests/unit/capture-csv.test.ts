import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvSplitState, splitCsvLine, splitCsvRows } from '../../src/capture/index.js';

function encodeField(value: string): string {
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}

describe('splitCsvLine', () => {
  it('splits plain lines, empty cells are null', () => {
    expect(splitCsvLine('1,2.5,abc')).toEqual(['1', '2.5', 'abc']);
    expect(splitCsvLine('')).toEqual([null]);
    expect(splitCsvLine(',')).toEqual([null, null]);
    expect(splitCsvLine('a,,b,')).toEqual(['a', null, 'b', null]);
    expect(splitCsvLine(' 1 , x')).toEqual([' 1 ', ' x']);
  });

  it('appends to the array it is given', () => {
    const row = splitCsvLine('0.9', []);
    expect(splitCsvLine('1,2', row)).toEqual(['0.9', '1', '2']);
  });

  it('handles quoted fields with separators, doubled quotes and line breaks', () => {
    expect(splitCsvLine('"a,b",c')).toEqual(['a,b', 'c']);
    expect(splitCsvLine('"say ""hi""",2')).toEqual(['say "hi"', '2']);
    expect(splitCsvLine('"line\nbreak",""')).toEqual(['line\nbreak', null]);
    expect(splitCsvLine('x,"<script>alert(1)</script>"')).toEqual(['x', '<script>alert(1)</script>']);
  });

  it('is lenient with malformed quotes and says so', () => {
    const state: CsvSplitState = { malformed: false };
    expect(splitCsvLine('"unterminated,1', [], state)).toEqual(['unterminated,1']);
    expect(state.malformed).toBe(true);
    const state2: CsvSplitState = { malformed: false };
    expect(splitCsvLine('"a"b,c', [], state2)).toEqual(['ab', 'c']);
    expect(state2.malformed).toBe(true);
    const state3: CsvSplitState = { malformed: false };
    expect(splitCsvLine('a"b,"c"', [], state3)).toEqual(['a"b', 'c']);
    expect(state3.malformed).toBe(true);
    const ok: CsvSplitState = { malformed: false };
    splitCsvLine('"a","b"', [], ok);
    expect(ok.malformed).toBe(false);
  });

  it('round-trips any RFC 4180 encoded row (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 12 }), (fields) => {
        const line = fields.map(encodeField).join(',');
        const state: CsvSplitState = { malformed: false };
        const cells = splitCsvLine(line, [], state);
        expect(cells).toEqual(fields.map((f) => (f === '' ? null : f)));
        expect(state.malformed).toBe(false);
      }),
      { seed: 20240502, numRuns: 200 },
    );
  });
});

describe('splitCsvRows', () => {
  it('splits multi-row payloads, skipping empty lines and the trailing newline', () => {
    expect(splitCsvRows('1,2\n3,4\n')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(splitCsvRows('1,2\r\n\r\n3,4')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(splitCsvRows('')).toEqual([]);
    expect(splitCsvRows('\n\n')).toEqual([]);
  });

  it('keeps line breaks inside quoted fields', () => {
    expect(splitCsvRows('"a\nb",1\n"c",2\n')).toEqual([
      ['a\nb', '1'],
      ['c', '2'],
    ]);
    expect(splitCsvRows('"x"\r\n\r\n"y,z"\r\n')).toEqual([['x'], ['y,z']]);
  });

  it('round-trips multi-row text (property)', () => {
    const row = fc.array(fc.string({ unit: 'grapheme-ascii' }), { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 6 }), fc.boolean(), (rows, crlf) => {
        const text = rows.map((r) => r.map(encodeField).join(',')).join(crlf ? '\r\n' : '\n');
        expect(splitCsvRows(text)).toEqual(rows.map((r) => r.map((f) => (f === '' ? null : f))));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
