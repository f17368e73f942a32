/**
 * Dataset fixtures made in the tests themselves: Arrow IPC (apache-arrow writes both formats) and Parquet
 * (hyparquet-writer), with the awkward cases the readers must survive.
 */
import {
  Bool,
  DateMillisecond,
  Dictionary,
  Field,
  Int32,
  List,
  Table,
  TimestampMillisecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Cell } from '../../src/core/types.js';
import type { TabularReader } from '../../src/io/datasets/index.js';
import type { RowSource } from '../../src/io/datasets/source.js';

/** Appends every row of a source to `rows`, copied, loading its input as needed (`next()`, then `fill()`). */
export async function drainSource(source: RowSource, rows: Cell[][]): Promise<Cell[][]> {
  for (;;) {
    const row = source.next();
    if (row) {
      rows.push([...row]);
      continue;
    }
    if (!(await source.fill())) return rows;
  }
}

/** Every row of a reader, copied (the reader reuses its row array). */
export async function readAll(reader: TabularReader): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  for await (const row of reader.rows()) rows.push([...row]);
  return rows;
}

/**
 * An Arrow table in two record batches: int32, float64 (NaN, -0), nullable utf8, int64, date, timestamp,
 * list<int32> (nested), dictionary<utf8>, boolean, and a column named `__proto__`.
 */
export function arrowTable(): Table {
  const strings = (values: Array<string | null>) => vectorFromArray(values, new Utf8());
  const whole = new Table({
    i: vectorFromArray([1, 2, 3, 11, 12, 13], new Int32()),
    f: vectorFromArray(Float64Array.from([1.5, Number.NaN, -0, 1.5, Number.NaN, -0])),
    s: strings(['a', null, 'c', 'a', null, 'c']),
    big: vectorFromArray(BigInt64Array.from([1n, -2n, 9007199254740993n, 1n, -2n, 9007199254740993n])),
    ok: vectorFromArray([true, false, null, true, false, null], new Bool()),
    d: vectorFromArray(
      [new Date(0), null, new Date(Date.UTC(2024, 4, 2)), new Date(0), null, new Date(Date.UTC(2024, 4, 2))],
      new DateMillisecond(),
    ),
    ts: vectorFromArray(
      [Date.UTC(2024, 4, 2, 7, 31, 12), null, 0, Date.UTC(2024, 4, 2, 7, 31, 12), null, 0],
      new TimestampMillisecond(),
    ),
    lst: vectorFromArray(
      [[1, 2], [3], null, [1, 2], [3], null],
      new List(new Field('item', new Int32(), true)),
    ),
    dict: vectorFromArray(['x', 'y', 'x', 'x', 'y', 'x'], new Dictionary(new Utf8(), new Int32())),
    // A computed key: a literal `__proto__:` would set the prototype instead of naming a column.
    ['__proto__']: strings(['p1', 'p2', 'p3', 'p1', 'p2', 'p3']),
  });
  // Two record batches sharing one dictionary (the file format allows no replacement dictionaries).
  return new Table([...whole.slice(0, 3).batches, ...whole.slice(3).batches]);
}

/** The rows `arrowTable()` must read as. */
export const arrowRows: Cell[][] = [0, 10].flatMap((offset) => [
  [1 + offset, 1.5, 'a', 1, true, '1970-01-01T00:00:00.000Z', '2024-05-02T07:31:12.000Z', '[1,2]', 'x', 'p1'],
  [2 + offset, Number.NaN, null, -2, false, null, null, '[3]', 'y', 'p2'],
  [
    3 + offset,
    -0,
    'c',
    9007199254740992,
    null,
    '2024-05-02T00:00:00.000Z',
    '1970-01-01T00:00:00.000Z',
    null,
    'x',
    'p3',
  ],
]);

export const arrowColumns = ['i', 'f', 's', 'big', 'ok', 'd', 'ts', 'lst', 'dict', '__proto__'];

export function arrowBytes(format: 'file' | 'stream'): Uint8Array {
  return tableToIPC(arrowTable(), format);
}

/** A Parquet file of 7 rows in row groups of 3 (3 + 3 + 1), with nulls, INT64, timestamps and `__proto__`. */
export function parquetBytes(
  options: { codec?: 'SNAPPY' | 'UNCOMPRESSED'; rowGroupSize?: number } = {},
): Uint8Array {
  const buffer = parquetWriteBuffer({
    codec: options.codec ?? 'SNAPPY',
    rowGroupSize: options.rowGroupSize ?? 3,
    columnData: [
      { name: 'label', data: [1, 0, 1, 1, 0, 0, 1], type: 'INT32' },
      { name: 'x', data: [0.5, null, -0, 1e300, 2.25, Number.NaN, 3], type: 'DOUBLE' },
      { name: 'cat', data: ['a', 'b', null, 'a', 'c', 'b', 'a'], type: 'STRING' },
      { name: 'n64', data: [1n, 2n, 3n, -4n, 5n, 6n, 7n], type: 'INT64' },
      { name: 'flag', data: [true, false, true, null, false, true, true], type: 'BOOLEAN' },
      {
        name: 'at',
        data: [
          new Date(0),
          new Date(Date.UTC(2024, 0, 1)),
          null,
          new Date(1000),
          new Date(2000),
          new Date(3000),
          new Date(4000),
        ],
        type: 'TIMESTAMP',
      },
      { name: '__proto__', data: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'], type: 'STRING' },
    ],
  });
  return new Uint8Array(buffer);
}

export const parquetColumns = ['label', 'x', 'cat', 'n64', 'flag', 'at', '__proto__'];

export const parquetRows: Cell[][] = [
  [1, 0.5, 'a', 1, true, '1970-01-01T00:00:00.000Z', 'p0'],
  [0, null, 'b', 2, false, '2024-01-01T00:00:00.000Z', 'p1'],
  [1, -0, null, 3, true, null, 'p2'],
  [1, 1e300, 'a', -4, null, '1970-01-01T00:00:01.000Z', 'p3'],
  [0, 2.25, 'c', 5, false, '1970-01-01T00:00:02.000Z', 'p4'],
  [0, Number.NaN, 'b', 6, true, '1970-01-01T00:00:03.000Z', 'p5'],
  [1, 3, 'a', 7, true, '1970-01-01T00:00:04.000Z', 'p6'],
];
