/**
 * `DatasetProfile.addDelimitedRow` (a plain CSV row profiled from its bytes, numbers read in place) against
 * `addRow` of the split cells: the same profile, on seeded rows of every kind of cell, past the 10,000
 * values after which numeric columns stop counting categories (where the in-place path starts).
 */
import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../src/capture/csv-split.js';
import { mulberry32 } from '../../src/core/random.js';
import { DatasetProfile, type DelimitedRowOutput } from '../../src/metrics/profile/dataset-profile.js';

const ODD = [
  '1e309',
  '-1e309',
  '-0',
  '+5',
  '- 5',
  '+ 7.25',
  '4.9e-324',
  '00012',
  '-000',
  '1.',
  '.5',
  '1e',
  '1E+3',
  '123456789012345678901234567890',
  '9007199254740993',
  '0.30000000000000004',
  '4111111111111111',
  '+14155550100',
  'true',
  'false',
  'NaN',
  'Infinity',
  'a@b.com',
  '~',
  'x',
];

function cell(random: () => number, column: number, row: number): string {
  const u = random();
  if (u < 0.03) return '';
  switch (column % 7) {
    case 0:
      return String(Math.floor(random() * 1000) - 100);
    case 1:
      return (random() * 200 - 50).toFixed(4);
    case 2:
      return u < 0.02 ? ODD[Math.floor(random() * ODD.length)]! : (random() * 1e6).toPrecision(17);
    case 3:
      return ['red', 'green', 'blue'][Math.floor(random() * 3)]!;
    case 4:
      // Numeric, then text after 12,000 rows: categories start being counted again.
      return row > 12_000 && u < 0.05 ? 'text' : (random() * 3).toFixed(6);
    case 5:
      // Numeric only, with card and phone numbers now and then (the sensitive-data check needs their text).
      return u < 0.05
        ? ['4111111111111111', '+14155550100', '+7', '1234567890123'][Math.floor(random() * 4)]!
        : String(Math.floor(random() * 50));
    default:
      return u < 0.2 ? ODD[Math.floor(random() * ODD.length)]! : String(random());
  }
}

/** Counts the row `first` then `second` (one buffer, as a capture line holds both payloads); the count. */
function count(profile: DatasetProfile, first: string, second?: string): number {
  const bytes = Buffer.from(`${first}|${second ?? ''}`, 'latin1');
  const split = first.length + 1;
  return profile.countDelimitedCells(
    bytes,
    0,
    first.length,
    split,
    second === undefined ? split : bytes.length,
  );
}

/** `addDelimitedRow` of the row `first` then `second`. */
function add(profile: DatasetProfile, first: string, second?: string, out?: DelimitedRowOutput): void {
  count(profile, first, second);
  profile.addDelimitedRow(out);
}

describe('DatasetProfile.addDelimitedRow', () => {
  it('profiles like addRow of the split cells (25,000 rows, 14 columns, output and input parts)', () => {
    const random = mulberry32(15);
    const names = Array.from({ length: 14 }, (_, i) => `c${i}`);
    const byText = new DatasetProfile(names);
    const byCells = new DatasetProfile(names);
    for (let r = 0; r < 25_000; r++) {
      const cells = names.map((_, c) => cell(random, c, r));
      const first = cells.slice(0, 1).join(',');
      const second = cells.slice(1).join(',');
      // Counted first (as the row builder checks a row's width) or not, and rows of one cell or a few.
      if (r % 5 === 1) expect(count(byText, first, second)).toBe(14);
      if (r % 3 === 0) add(byText, cells.join(','));
      else add(byText, first, second);
      byCells.addRow(splitCsvLine(cells.join(',')));
    }
    expect(byText.toJSON()).toEqual(byCells.toJSON());
  });

  it('counts the cells of a row as addDelimitedRow takes them (no second part, empty cells, thousands of cells)', () => {
    const profile = new DatasetProfile(['a', 'b']);
    expect(count(profile, '')).toBe(1);
    expect(count(profile, '1')).toBe(1);
    expect(count(profile, '1,,3', ',')).toBe(5);
    expect(count(profile, ',', '1,')).toBe(4);
    const wide = Array.from({ length: 5000 }, (_, i) => String(i)).join(',');
    expect(count(profile, wide, '1,2')).toBe(5002);
    // Counted, then added: cells past the known columns are left out.
    profile.addDelimitedRow();
    expect(profile.columns.map((c) => c.numPresent)).toEqual([1, 1]);
    expect(profile.columns.map((c) => c.moments.sum)).toEqual([0, 1]);
  });

  it("hands back each row's numbers and the asked columns' texts, as addRow's numbers and cells", () => {
    const random = mulberry32(16);
    const names = Array.from({ length: 14 }, (_, i) => `c${i}`);
    const byText = new DatasetProfile(names);
    const byCells = new DatasetProfile(names);
    // One column more than the rows have: its slot is NaN / undefined.
    byText.columnIndex('extra');
    byCells.columnIndex('extra');
    const out = {
      numbers: new Float64Array(15),
      texts: new Array<string | undefined>(15).fill('stale'),
      textColumns: new Uint8Array(15),
    };
    for (const c of [3, 4, 10, 14]) out.textColumns[c] = 1;
    const numbers = new Float64Array(15);
    for (let r = 0; r < 15_000; r++) {
      const cells = names.map((_, c) => cell(random, c, r));
      const split = splitCsvLine(cells.join(','));
      out.numbers.fill(12345);
      if (r % 2 === 0) add(byText, cells.join(','), undefined, out);
      else add(byText, cells.slice(0, 4).join(','), cells.slice(4).join(','), out);
      byCells.addRow(split, numbers);
      expect(Array.from(out.numbers)).toEqual(Array.from(numbers));
      for (const c of [3, 4, 10, 14])
        expect(out.texts[c]).toBe(split[c] === '' || split[c] == null ? undefined : split[c]);
      expect(out.texts[0]).toBe('stale');
    }
    expect(byText.toJSON()).toEqual(byCells.toJSON());
  });
});

describe('ColumnProfile.addCell of text values already counted', () => {
  const TEXTS = [
    'a',
    'ab',
    'abc',
    'b',
    'true',
    'false',
    'x@y.org',
    'q@r.net',
    'red',
    'green',
    'blue',
    'é',
    'zz',
  ];

  it('counts repeated text values like add (more distinct values than it matches in place, sensitive ones)', () => {
    const random = mulberry32(16);
    const names = ['t0', 't1', 't2'];
    const byText = new DatasetProfile(names);
    const byCells = new DatasetProfile(names);
    for (let r = 0; r < 5_000; r++) {
      const cells = names.map((_, c) => {
        const u = random();
        if (c === 2 && u < 0.3) return String(Math.floor(random() * 100));
        return u < 0.02 ? '' : TEXTS[Math.floor(random() * (c === 0 ? 4 : TEXTS.length))]!;
      });
      add(byText, cells.join(','));
      byCells.addRow(splitCsvLine(cells.join(',')));
      // Reading a column's categories midway adds the counts kept aside and forgets the known values.
      if (r % 700 === 0)
        expect(byText.columns[r % 3]!.categories).toEqual(byCells.columns[r % 3]!.categories);
    }
    expect(byText.toJSON()).toEqual(byCells.toJSON());
  });

  it('counts a known value again after the categories were replaced (as add does)', () => {
    const byText = new DatasetProfile(['t']);
    const byCells = new DatasetProfile(['t']);
    for (const profile of [byText, byCells]) {
      add(profile, 'red');
      add(profile, 'red');
      profile.columns[0]!.categories.clear();
    }
    add(byText, 'red');
    byCells.addRow(['red']);
    expect(byText.toJSON()).toEqual(byCells.toJSON());
    expect(byText.columns[0]!.categories.get('red')).toBe(1);
  });
});
