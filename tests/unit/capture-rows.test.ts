import { describe, expect, it } from 'vitest';
import {
  type CapturePayload,
  type CaptureRecord,
  type ColumnResolver,
  createRowBuilder,
  type RecordPreprocessor,
  type RowBuilderOptions,
} from '../../src/capture/index.js';
import { IssueLog } from '../../src/core/issues.js';
import type { Cell } from '../../src/core/types.js';

/** A resolver like the dataset profile's: a Map, columns numbered in creation order. */
class Columns implements ColumnResolver {
  readonly names: string[] = [];
  readonly #index = new Map<string, number>();
  constructor(initial: string[] = []) {
    for (const name of initial) this.columnIndex(name);
  }
  columnIndex(name: string): number {
    let index = this.#index.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.names.push(name);
      this.#index.set(name, index);
    }
    return index;
  }
}

function payload(
  data: string,
  encoding: CapturePayload['encoding'] = 'CSV',
  contentType = 'text/csv',
): CapturePayload {
  return { data, encoding, contentType, mode: '' };
}

function record(
  input: CapturePayload | undefined,
  output: CapturePayload | undefined,
  lineNumber = 1,
): CaptureRecord {
  return {
    eventId: 'e',
    inferenceId: undefined,
    inferenceTime: new Date('2024-05-02T07:00:00Z'),
    input,
    output,
    customAttributes: undefined,
    lineNumber,
    source: 's3://b/cap.jsonl',
  };
}

/** Builds the rows of some records and returns them as name → cell objects (holes left out). */
async function rowsOf(
  records: CaptureRecord[],
  options: Partial<RowBuilderOptions> & { baselineColumns: string[] },
  columns = new Columns(),
): Promise<{ rows: Array<Record<string, Cell>>; raw: Cell[][]; issues: IssueLog; columns: Columns }> {
  const issues = options.issues ?? new IssueLog();
  const build = createRowBuilder(columns, { ...options, issues });
  const raw: Cell[][] = [];
  for (const r of records) {
    const pending = build(r, (cells) => raw.push(cells));
    if (pending) await pending;
  }
  const rows = raw.map((cells) => {
    const row: Record<string, Cell> = Object.create(null);
    cells.forEach((v, i) => {
      if (v !== undefined) row[columns.names[i]!] = v;
    });
    return row;
  });
  return { rows, raw, issues, columns };
}

const csvBaseline = ['label', 'age', 'tenure', 'plan'];

describe('CSV capture', () => {
  it('puts the output first (START, the default) and maps positionally onto the baseline', async () => {
    const { rows, raw, issues } = await rowsOf([record(payload('41,3,gold'), payload('0.81\n'))], {
      baselineColumns: csvBaseline,
    });
    expect(rows).toEqual([{ label: '0.81', age: '41', tenure: '3', plan: 'gold' }]);
    expect(raw[0]).toEqual(['0.81', '41', '3', 'gold']);
    expect(issues.total).toBe(0);
  });

  it('puts the output last with END', async () => {
    const { rows } = await rowsOf([record(payload('41,3,gold'), payload('0.81'))], {
      baselineColumns: ['age', 'tenure', 'plan', 'score'],
      outputColumnsPosition: 'END',
    });
    expect(rows).toEqual([{ age: '41', tenure: '3', plan: 'gold', score: '0.81' }]);
  });

  it('keeps empty cells as null and quoted commas inside one cell', async () => {
    const { raw, issues } = await rowsOf([record(payload('41,,"a,b"'), payload('1'))], {
      baselineColumns: csvBaseline,
    });
    expect(raw[0]).toEqual(['1', '41', null, 'a,b']);
    expect(issues.total).toBe(0);
  });

  it('counts rows of the wrong width and still profiles them positionally, extra positions as _c<i>', async () => {
    const { rows, issues } = await rowsOf(
      [
        record(payload('41,3,gold,extra1,extra2'), payload('1'), 1),
        record(payload('41'), payload('0'), 2),
        record(payload('42,4,silver'), payload('1'), 3),
      ],
      { baselineColumns: csvBaseline },
    );
    expect(rows).toEqual([
      { label: '1', age: '41', tenure: '3', plan: 'gold', _c4: 'extra1', _c5: 'extra2' },
      { label: '0', age: '41' },
      { label: '1', age: '42', tenure: '4', plan: 'silver' },
    ]);
    expect(issues.samples).toEqual([
      { kind: 'column_count', source: 's3://b/cap.jsonl', line: 1, message: '6 columns, the baseline has 4' },
      { kind: 'column_count', source: 's3://b/cap.jsonl', line: 2, message: '2 columns, the baseline has 4' },
    ]);
  });

  it('remaps positions when the profile numbers its columns differently', async () => {
    const columns = new Columns(['unrelated', 'plan', 'label']);
    const { rows, raw } = await rowsOf(
      [record(payload('41,3,gold'), payload('0.5'))],
      { baselineColumns: csvBaseline },
      columns,
    );
    expect(rows).toEqual([{ label: '0.5', age: '41', tenure: '3', plan: 'gold' }]);
    expect(raw[0]![0]).toBeUndefined();
  });

  it('names every column _c<i> without a baseline and checks no width', async () => {
    const { rows, issues } = await rowsOf([record(payload('1,2'), payload('9'))], { baselineColumns: [] });
    expect(rows).toEqual([{ _c0: '9', _c1: '1', _c2: '2' }]);
    expect(issues.total).toBe(0);
  });

  it('makes a row of each line of a multi-row payload, pairing output lines', async () => {
    const { rows, issues } = await rowsOf(
      [record(payload('41,3,gold\n42,4,silver\n\n43,5,"bronze\nplus"\n'), payload('0.1\n0.2\n0.3\n'))],
      {
        baselineColumns: csvBaseline,
      },
    );
    expect(rows).toEqual([
      { label: '0.1', age: '41', tenure: '3', plan: 'gold' },
      { label: '0.2', age: '42', tenure: '4', plan: 'silver' },
      { label: '0.3', age: '43', tenure: '5', plan: 'bronze\nplus' },
    ]);
    expect(issues.total).toBe(0);
  });

  it('spreads a one-line output with one value per input row (XGBoost style)', async () => {
    const { rows, issues } = await rowsOf([record(payload('41,3,gold\n42,4,silver'), payload('0.1,0.2'))], {
      baselineColumns: csvBaseline,
      outputColumnsPosition: 'END',
    });
    expect(rows).toEqual([
      { label: '41', age: '3', tenure: 'gold', plan: '0.1' },
      { label: '42', age: '4', tenure: 'silver', plan: '0.2' },
    ]);
    expect(issues.total).toBe(0);
  });

  it('never broadcasts one output to several rows: counted, outputs left missing', async () => {
    const { rows, issues } = await rowsOf(
      [record(payload('41,3,gold\n42,4,silver\n43,5,x'), payload('0.1\n0.2'))],
      {
        baselineColumns: csvBaseline,
      },
    );
    expect(rows).toEqual([
      { age: '41', tenure: '3', plan: 'gold' },
      { age: '42', tenure: '4', plan: 'silver' },
      { age: '43', tenure: '5', plan: 'x' },
    ]);
    expect(issues.toJSON().counts).toEqual({ output_row_mismatch: 1 });
  });

  it('handles input-only and output-only capture', async () => {
    const { rows, issues } = await rowsOf(
      [record(payload('41,3,gold'), undefined), record(undefined, payload('0.7'))],
      {
        baselineColumns: ['age', 'tenure', 'plan'],
      },
    );
    expect(rows).toEqual([{ age: '41', tenure: '3', plan: 'gold' }, { age: '0.7' }]);
    expect(issues.counts.get('column_count')).toBe(1);
  });

  it('counts empty payloads and malformed quoting', async () => {
    const { rows, issues } = await rowsOf(
      [record(payload(''), payload('1'), 1), record(payload('"41,3,gold'), payload('1'), 2)],
      { baselineColumns: csvBaseline },
    );
    expect(rows).toEqual([{ label: '1', age: '41,3,gold' }]);
    expect(issues.toJSON().counts).toEqual({ column_count: 1, empty_payload: 1, malformed_csv: 1 });
  });

  it('decodes BASE64 by content type; other content types are undecodable', async () => {
    const csv: CapturePayload = { ...payload('41,3,gold\n42,4,silver', 'BASE64', 'text/csv; charset=utf-8') };
    const image: CapturePayload = {
      data: '',
      encoding: 'BASE64',
      contentType: 'image/png',
      mode: '',
      bytes: new Uint8Array([1]),
    };
    const octets: CapturePayload = payload('abc', 'BASE64', 'application/octet-stream');
    const { rows, issues } = await rowsOf(
      [record(csv, payload('1\n0'), 1), record(image, payload('1'), 2), record(octets, payload('1'), 3)],
      { baselineColumns: csvBaseline },
    );
    expect(rows).toEqual([
      { label: '1', age: '41', tenure: '3', plan: 'gold' },
      { label: '0', age: '42', tenure: '4', plan: 'silver' },
    ]);
    expect(issues.samples.map((s) => [s.kind, s.line])).toEqual([
      ['undecodable_payload', 2],
      ['undecodable_payload', 3],
    ]);
  });

  it('caps the number of new columns', async () => {
    const wide = Array.from({ length: 50 }, (_, i) => String(i)).join(',');
    const { raw, issues, columns } = await rowsOf([record(payload(wide), undefined)], {
      baselineColumns: ['a', 'b'],
      maxNewColumns: 10,
    });
    expect(columns.names).toHaveLength(12);
    expect(raw[0]!.filter((v) => v !== undefined)).toHaveLength(12);
    expect(issues.toJSON().counts).toEqual({ column_count: 1, too_many_columns: 1 });
  });
});

describe('JSON capture', () => {
  const json = (value: unknown, contentType = 'application/json'): CapturePayload =>
    payload(typeof value === 'string' ? value : JSON.stringify(value), 'JSON', contentType);

  it('maps flat objects by key, output keys too, unknown keys as new columns', async () => {
    const { rows, raw, issues, columns } = await rowsOf(
      [record(json({ age: 41, plan: 'gold', zip: '02139' }), json({ score: 0.81 }))],
      {
        baselineColumns: ['score', 'age', 'plan'],
      },
    );
    expect(rows).toEqual([{ score: 0.81, age: 41, plan: 'gold', zip: '02139' }]);
    expect(columns.names).toEqual(['score', 'age', 'plan', 'zip']);
    expect(raw[0]).toEqual([0.81, 41, 'gold', '02139']);
    expect(issues.total).toBe(0);
  });

  it('treats __proto__ and <script> as ordinary column names', async () => {
    const { rows, issues } = await rowsOf(
      [
        record(
          json('{"__proto__": 1, "<script>alert(1)</script>": "x", "constructor": true}'),
          json('{"toString": 0.5}'),
        ),
      ],
      { baselineColumns: [] },
    );
    expect(Object.keys(rows[0]!)).toEqual([
      '__proto__',
      '<script>alert(1)</script>',
      'constructor',
      'toString',
    ]);
    expect(Object.getOwnPropertyDescriptor(rows[0], '__proto__')?.value).toBe(1);
    expect(issues.total).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps nested values as JSON text and counts them', async () => {
    const { rows, issues } = await rowsOf(
      [record(json({ age: 41, tags: ['a', 'b'], address: { zip: 1 } }), undefined)],
      {
        baselineColumns: ['age', 'tags', 'address'],
      },
    );
    expect(rows).toEqual([{ age: 41, tags: '["a","b"]', address: '{"zip":1}' }]);
    expect(issues.samples.map((s) => [s.kind, s.column])).toEqual([
      ['nested_value', 'tags'],
      ['nested_value', 'address'],
    ]);
  });

  it('makes several rows of an array of objects and pairs an array of outputs', async () => {
    const { rows, issues } = await rowsOf(
      [record(json([{ age: 41 }, { age: 42, plan: null }]), json([{ score: 0.1 }, { score: 0.2 }]))],
      { baselineColumns: ['score', 'age', 'plan'] },
    );
    expect(rows).toEqual([
      { age: 41, score: 0.1 },
      { age: 42, plan: null, score: 0.2 },
    ]);
    expect(issues.total).toBe(0);
  });

  it('maps a bare number or array of numbers positionally to the output columns', async () => {
    const start = await rowsOf([record(json({ age: 41, plan: 'gold' }), json(0.81))], {
      baselineColumns: ['score', 'age', 'plan'],
    });
    expect(start.rows).toEqual([{ age: 41, plan: 'gold', score: 0.81 }]);
    const end = await rowsOf([record(json({ age: 41 }), json([0.2, 0.8]))], {
      baselineColumns: ['age', 'p0', 'p1'],
      outputColumnsPosition: 'END',
    });
    expect(end.rows).toEqual([{ age: 41, p0: 0.2, p1: 0.8 }]);
    // One prediction per input object.
    const batch = await rowsOf([record(json([{ age: 41 }, { age: 42 }]), json([0.1, 0.9]))], {
      baselineColumns: ['score', 'age'],
    });
    expect(batch.rows).toEqual([
      { age: 41, score: 0.1 },
      { age: 42, score: 0.9 },
    ]);
    expect(start.issues.total + end.issues.total + batch.issues.total).toBe(0);
  });

  it('concatenates positional JSON rows like CSV', async () => {
    const { rows, issues } = await rowsOf(
      [
        record(
          json([
            [41, 3],
            [42, 4],
          ]),
          json([[0.1], [0.2]]),
        ),
      ],
      {
        baselineColumns: ['score', 'age', 'tenure'],
      },
    );
    expect(rows).toEqual([
      { score: 0.1, age: 41, tenure: 3 },
      { score: 0.2, age: 42, tenure: 4 },
    ]);
    expect(issues.total).toBe(0);
  });

  it('reads JSON Lines payloads one document per line', async () => {
    const { rows } = await rowsOf(
      [
        record(
          json('{"age": 41}\n{"age": 42}\n', 'application/jsonlines'),
          json('{"score": 1}\n{"score": 0}', 'application/jsonlines'),
        ),
      ],
      { baselineColumns: ['score', 'age'] },
    );
    expect(rows).toEqual([
      { age: 41, score: 1 },
      { age: 42, score: 0 },
    ]);
  });

  it('counts payloads that are not JSON, empty arrays and mismatched outputs', async () => {
    const { rows, issues } = await rowsOf(
      [
        record(json('{"age": '), json(1), 1),
        record(json([]), json(1), 2),
        record(json([{ age: 1 }, { age: 2 }]), json({ score: 1 }), 3),
      ],
      { baselineColumns: ['score', 'age'] },
    );
    expect(rows).toEqual([{ age: 1 }, { age: 2 }]);
    expect(issues.samples.map((s) => [s.kind, s.line])).toEqual([
      ['invalid_json_payload', 1],
      ['empty_payload', 2],
      ['output_row_mismatch', 3],
    ]);
  });

  it('reads the SDK sample shape ({"instances": [...]}) as nested JSON text, counted', async () => {
    const { rows, issues } = await rowsOf(
      [
        record(
          json('{"instances": [1.0, 2.0, 5.0]}'),
          json('{\n    "predictions": [3.5, 4.0, 5.5\n    ]\n}'),
        ),
      ],
      { baselineColumns: [] },
    );
    expect(rows).toEqual([{ instances: '[1,2,5]', predictions: '[3.5,4,5.5]' }]);
    expect(issues.counts.get('nested_value')).toBe(2);
  });

  it('survives values nested too deeply to print', async () => {
    const depth = 200_000;
    const deep = `{"a": ${'['.repeat(depth)}${']'.repeat(depth)}, "b": 1}`;
    const { rows, issues } = await rowsOf([record(json(deep), undefined)], { baselineColumns: ['a', 'b'] });
    expect(rows).toEqual([{ a: null, b: 1 }]);
    expect(issues.samples.map((s) => [s.kind, s.column, s.message])).toEqual([
      ['nested_value', 'a', 'nested value too deep to keep: left missing'],
    ]);
  });

  it('caps new columns from untrusted keys', async () => {
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const { columns, issues } = await rowsOf([record(json(wide), undefined)], {
      baselineColumns: [],
      maxNewColumns: 20,
    });
    expect(columns.names).toHaveLength(20);
    expect(issues.counts.get('too_many_columns')).toBe(80);
  });
});

describe('record preprocessor', () => {
  it('maps a record to a flat object by baseline name', async () => {
    const preprocessor: RecordPreprocessor = (r) => {
      const [age, plan] = r.input!.data.split(',');
      return { age: Number(age), plan: plan ?? null, score: Number(r.output!.data) };
    };
    const { rows, issues } = await rowsOf([record(payload('41,gold'), payload('0.5'))], {
      baselineColumns: ['score', 'age', 'plan'],
      preprocessor,
    });
    expect(rows).toEqual([{ age: 41, plan: 'gold', score: 0.5 }]);
    expect(issues.total).toBe(0);
  });

  it('matches zero-padded keys positionally in key order, as SageMaker does', async () => {
    // The AWS documentation sample: output + input values keyed by str(i).zfill(20).
    const preprocessor: RecordPreprocessor = (r) => {
      const values = `${r.output!.data.trimEnd()},${r.input!.data}`.split(',');
      const row: Record<string, Cell> = {};
      values.forEach((v, i) => {
        row[String(i).padStart(20, '0')] = v;
      });
      // Inserted out of order on purpose: key order decides.
      return Object.fromEntries(Object.entries(row).reverse());
    };
    const { rows, issues } = await rowsOf([record(payload('41,3,gold'), payload('0.81\n'))], {
      baselineColumns: csvBaseline,
      preprocessor,
    });
    expect(rows).toEqual([{ label: '0.81', age: '41', tenure: '3', plan: 'gold' }]);
    expect(issues.total).toBe(0);
  });

  it('drops on null, undefined or [] (tallied), emits several rows for an array', async () => {
    let calls = 0;
    const preprocessor: RecordPreprocessor = (r) => {
      calls++;
      if (r.lineNumber === 1) return null;
      if (r.lineNumber === 2) return [];
      if (r.lineNumber === 3) return undefined;
      return [{ age: 1 }, { age: 2 }];
    };
    const { rows, issues } = await rowsOf(
      [1, 2, 3, 4].map((n) => record(payload('1'), undefined, n)),
      { baselineColumns: ['age'], preprocessor },
    );
    expect(calls).toBe(4);
    expect(rows).toEqual([{ age: 1 }, { age: 2 }]);
    expect(issues.toJSON()).toEqual({ total: 3, counts: { dropped_by_preprocessor: 3 }, samples: [] });
  });

  it('counts a throw or a bad return value as preprocessor_error and keeps going', async () => {
    const preprocessor: RecordPreprocessor = (r) => {
      if (r.lineNumber === 1) throw new TypeError('cannot read x');
      if (r.lineNumber === 2) return 'oops' as never;
      if (r.lineNumber === 3) return [{ age: 1 }, 7] as never;
      return { age: r.lineNumber };
    };
    const { rows, issues } = await rowsOf(
      [1, 2, 3, 4].map((n) => record(payload('1'), undefined, n)),
      { baselineColumns: ['age'], preprocessor },
    );
    expect(rows).toEqual([{ age: 1 }, { age: 4 }]);
    expect(issues.samples.map((s) => [s.kind, s.line, s.message])).toEqual([
      ['preprocessor_error', 1, 'TypeError: cannot read x'],
      ['preprocessor_error', 2, 'returned oops: expected an object, an array of objects or null'],
      ['preprocessor_error', 3, 'returned an array holding 7, not flat objects'],
    ]);
  });

  it('survives hostile throws and return values', async () => {
    const preprocessor: RecordPreprocessor = (r) => {
      if (r.lineNumber === 1)
        throw {
          toString() {
            throw new Error('no');
          },
        };
      if (r.lineNumber === 2) {
        const row = { age: 1 };
        Object.defineProperty(row, 'plan', {
          enumerable: true,
          get() {
            throw new Error('getter');
          },
        });
        return row;
      }
      return { age: r.lineNumber };
    };
    const { rows, issues } = await rowsOf(
      [1, 2, 3].map((n) => record(payload('1'), undefined, n)),
      { baselineColumns: ['age', 'plan'], preprocessor },
    );
    expect(rows).toEqual([{ age: 3 }]);
    expect(issues.samples.map((s) => [s.kind, s.line])).toEqual([
      ['preprocessor_error', 1],
      ['preprocessor_error', 2],
    ]);
  });

  it('supports async preprocessors (the builder then returns a promise)', async () => {
    const preprocessor: RecordPreprocessor = async (r) => {
      await Promise.resolve();
      if (r.lineNumber === 2) throw new Error('async failure');
      return { age: r.lineNumber };
    };
    const issues = new IssueLog();
    const build = createRowBuilder(new Columns(), { baselineColumns: ['age'], preprocessor, issues });
    const rows: Cell[][] = [];
    const first = build(record(payload('1'), undefined, 1), (cells) => rows.push(cells));
    expect(first).toBeInstanceOf(Promise);
    await first;
    await build(record(payload('1'), undefined, 2), (cells) => rows.push(cells));
    expect(rows).toEqual([[1]]);
    expect(issues.counts.get('preprocessor_error')).toBe(1);
  });

  it('returns nothing (sync) without a preprocessor', () => {
    const build = createRowBuilder(new Columns(), { baselineColumns: ['a'], issues: new IssueLog() });
    expect(build(record(payload('1'), undefined), () => undefined)).toBeUndefined();
  });
});
