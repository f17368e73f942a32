import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CaptureRecord,
  isBase64,
  parseCaptureLine,
  parseUtcTime,
  readCaptureBatches,
  readCaptureRecords,
} from '../../src/capture/index.js';
import { parseCaptureLineAsJson } from '../../src/capture/records.js';
import { IssueLog } from '../../src/core/issues.js';
import { mulberry32 } from '../../src/core/random.js';
import { LocalStorage } from '../../src/io/local-storage.js';

const root = mkdtempSync(join(tmpdir(), 'dw-capture-records-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const storage = new LocalStorage();

/** A capture line as SageMaker writes it (CSV on both sides unless told otherwise). */
function line(
  options: {
    input?: string;
    output?: string;
    time?: string;
    eventId?: string;
    inferenceId?: string;
    encoding?: string;
    contentType?: string;
  } = {},
): string {
  const encoding = options.encoding ?? 'CSV';
  const contentType = options.contentType ?? 'text/csv';
  return JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: contentType,
        mode: 'INPUT',
        data: options.input ?? '1,2,3',
        encoding,
      },
      endpointOutput: {
        observedContentType: contentType,
        mode: 'OUTPUT',
        data: options.output ?? '0.5',
        encoding,
      },
    },
    eventMetadata: {
      eventId: options.eventId ?? 'e-1',
      ...(options.inferenceId ? { inferenceId: options.inferenceId } : {}),
      inferenceTime: options.time ?? '2024-05-02T07:31:12Z',
    },
    eventVersion: '0',
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

describe('parseCaptureLine', () => {
  it('parses the spec example (CSV, inferenceId)', () => {
    const issues = new IssueLog();
    const text =
      '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"41,3,0.75,1","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.8123","encoding":"CSV"}},"eventMetadata":{"eventId":"5c0e6a4e-2f7b-4c38-9a51-1d2f3b4c5d6e","inferenceId":"order-77812","inferenceTime":"2024-05-02T07:31:12Z"},"eventVersion":"0"}';
    const record = parseCaptureLine(text, 's3://b/k.jsonl', 7, issues);
    expect(record).toEqual({
      eventId: '5c0e6a4e-2f7b-4c38-9a51-1d2f3b4c5d6e',
      inferenceId: 'order-77812',
      inferenceTime: new Date('2024-05-02T07:31:12Z'),
      input: { data: '41,3,0.75,1', encoding: 'CSV', contentType: 'text/csv', mode: 'INPUT' },
      output: { data: '0.8123', encoding: 'CSV', contentType: 'text/csv; charset=utf-8', mode: 'OUTPUT' },
      customAttributes: undefined,
      lineNumber: 7,
      source: 's3://b/k.jsonl',
    } satisfies CaptureRecord);
    expect(issues.total).toBe(0);
  });

  it('does not depend on key order and keeps customAttributes opaque', () => {
    const issues = new IssueLog();
    const text =
      '{"eventVersion":"0","eventMetadata":{"customAttributes":{"tenant":"a"},"inferenceTime":"2024-05-02T07:31:13Z","eventId":"x"},"captureData":{"endpointOutput":{"data":"{\\"score\\": 0.81}","encoding":"JSON","mode":"OUTPUT","observedContentType":"application/json"},"endpointInput":{"encoding":"JSON","data":"{\\"age\\": 41}","observedContentType":"application/json","mode":"INPUT"}}}';
    const record = parseCaptureLine(text, 'f', 1, issues)!;
    expect(record.eventId).toBe('x');
    expect(record.inferenceId).toBeUndefined();
    expect(record.customAttributes).toEqual({ tenant: 'a' });
    expect(record.input).toEqual({
      data: '{"age": 41}',
      encoding: 'JSON',
      contentType: 'application/json',
      mode: 'INPUT',
    });
    expect(record.output?.data).toBe('{"score": 0.81}');
    expect(issues.total).toBe(0);
  });

  it('accepts input-only and output-only capture', () => {
    const issues = new IssueLog();
    const onlyIn = parseCaptureLine(
      '{"captureData":{"endpointInput":{"data":"1,2","encoding":"CSV"}},"eventMetadata":{"eventId":"a","inferenceTime":"2024-05-02T07:00:00Z"}}',
      'f',
      1,
      issues,
    )!;
    expect(onlyIn.output).toBeUndefined();
    expect(onlyIn.input).toEqual({ data: '1,2', encoding: 'CSV', contentType: '', mode: '' });
    const onlyOut = parseCaptureLine(
      '{"captureData":{"endpointOutput":{"data":"1","encoding":"csv"}}}',
      'f',
      2,
      issues,
    )!;
    expect(onlyOut.output?.encoding).toBe('CSV');
    expect(onlyOut.eventId).toBeUndefined();
    expect(onlyOut.inferenceTime).toBeUndefined();
    expect(issues.total).toBe(0);
  });

  it('decodes BASE64 payloads to text, keeps binary payloads as bytes', () => {
    const issues = new IssueLog();
    const csv = Buffer.from('5,6,7\n8,9,10').toString('base64');
    const record = parseCaptureLine(
      line({ input: csv, output: 'MC4z', encoding: 'BASE64' }),
      'f',
      1,
      issues,
    )!;
    expect(record.input).toEqual({
      data: '5,6,7\n8,9,10',
      encoding: 'BASE64',
      contentType: 'text/csv',
      mode: 'INPUT',
    });
    expect(record.output?.data).toBe('0.3');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]).toString('base64');
    const image = parseCaptureLine(
      line({ input: png, output: 'MC4z', encoding: 'BASE64', contentType: 'image/png' }),
      'f',
      2,
      issues,
    )!;
    expect(image.input?.data).toBe('');
    expect([...image.input!.bytes!]).toEqual([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]);
    expect(issues.total).toBe(0);
  });

  it('validates multi-megabyte base64 payloads without blowing the stack', () => {
    const issues = new IssueLog();
    const big = Buffer.alloc(12 * 1024 * 1024, 'a').toString('base64');
    const ok = parseCaptureLine(line({ input: big, output: 'MC41', encoding: 'BASE64' }), 'f', 1, issues)!;
    expect(ok.input!.data).toHaveLength(12 * 1024 * 1024);
    expect(
      parseCaptureLine(line({ input: `${big}!`, output: 'MC41', encoding: 'BASE64' }), 'f', 2, issues),
    ).toBeUndefined();
    expect(issues.samples.map((s) => [s.kind, s.line])).toEqual([['undecodable_payload', 2]]);
  });

  it('accepts padded and unpadded base64 only', () => {
    for (const good of ['', 'QQ==', 'QUI=', 'QUJD', 'QQ', 'QUI', 'a+/9'])
      expect(isBase64(good), good).toBe(true);
    for (const bad of ['Q', 'QUJD=', 'Q===', 'QQ=', 'QU JD', 'QUJD\n', 'QU=D', '===='])
      expect(isBase64(bad), bad).toBe(false);
  });

  it('counts malformed lines with their kind, source and line number', () => {
    const issues = new IssueLog();
    const bad: Array<[string, string]> = [
      ['not json at all', 'invalid_json'],
      ['{"captureData": ', 'invalid_json'],
      ['[1,2,3]', 'invalid_record'],
      ['42', 'invalid_record'],
      ['null', 'invalid_record'],
      ['{"eventMetadata":{"eventId":"a"}}', 'invalid_record'],
      ['{"captureData":"text"}', 'invalid_record'],
      ['{"captureData":{}}', 'invalid_record'],
      ['{"captureData":{"endpointInput":{"encoding":"CSV"}}}', 'invalid_record'],
      ['{"captureData":{"endpointInput":{"data":1,"encoding":"CSV"}}}', 'invalid_record'],
      ['{"captureData":{"endpointInput":{"data":"1","encoding":"XML"}}}', 'invalid_record'],
      [
        '{"captureData":{"endpointInput":{"data":"1","encoding":"CSV"},"endpointOutput":7}}',
        'invalid_record',
      ],
      [line({ input: 'not base64!!', encoding: 'BASE64' }), 'undecodable_payload'],
      [line({ input: 'QUJD=', encoding: 'BASE64' }), 'undecodable_payload'],
    ];
    bad.forEach(([text, _], i) => {
      expect(parseCaptureLine(text, 's3://b/x.jsonl', i + 1, issues)).toBeUndefined();
    });
    expect(issues.total).toBe(bad.length);
    expect(issues.samples.map((s) => [s.kind, s.line, s.source])).toEqual(
      bad.map(([, kind], i) => [kind, i + 1, 's3://b/x.jsonl']),
    );
    for (const s of issues.samples) expect(s.message.length).toBeLessThan(200);
  });

  it('is not fooled by __proto__ keys and never pollutes prototypes', () => {
    const issues = new IssueLog();
    expect(
      parseCaptureLine(
        '{"__proto__":{"captureData":{"endpointInput":{"data":"1","encoding":"CSV"}}}}',
        'f',
        1,
        issues,
      ),
    ).toBeUndefined();
    expect(issues.counts.get('invalid_record')).toBe(1);
    const record = parseCaptureLine(
      '{"captureData":{"__proto__":{"polluted":1},"endpointInput":{"data":"1","encoding":"CSV","__proto__":{"x":1}}},"eventMetadata":{"__proto__":{"eventId":"evil"},"eventId":"ok"}}',
      'f',
      2,
      issues,
    )!;
    expect(record.eventId).toBe('ok');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('reads inferenceTime as UTC; an unparsable time is undefined, not an issue here', () => {
    const issues = new IssueLog();
    expect(parseCaptureLine(line({ time: '{%s}' }), 'f', 1, issues)!.inferenceTime).toBeUndefined();
    expect(parseCaptureLine(line({ time: '2024-05-02T07:31:12' }), 'f', 1, issues)!.inferenceTime).toEqual(
      new Date('2024-05-02T07:31:12Z'),
    );
    expect(issues.total).toBe(0);
  });
});

describe('parseCaptureLine on SageMaker-shaped lines (matched without JSON.parse)', () => {
  // Pieces of JSON strings that test the match: quotes, backslashes, every escape, raw control characters
  // (invalid JSON), non-ASCII, lone surrogates, the CSV payload's trailing newline.
  const PIECES = [
    'a',
    '1,2.5,',
    '"',
    '\\',
    '\n',
    '\r',
    '\t',
    '/',
    '\u0000',
    '\u001f',
    'é',
    '€',
    '😀',
    '\ud800',
    '\udc00',
    ' ',
    'AAA=',
    '{"x":[1]}',
    ',',
    'text/csv',
    'CSV',
  ];
  const ENCODINGS = ['CSV', 'csv', 'JSON', 'BASE64', 'XML', 'Csv'];
  const TIMES = [
    '2024-05-02T07:31:12Z',
    '2024-05-02T07:31:12',
    '2024-05-02T07:31:12.123+02:00',
    'yesterday',
    '',
  ];

  function text(random: () => number, max: number): string {
    let out = '';
    const n = Math.floor(random() * max);
    for (let i = 0; i < n; i++) out += PIECES[Math.floor(random() * PIECES.length)];
    return out;
  }
  function pick<T>(random: () => number, values: readonly T[]): T {
    return values[Math.floor(random() * values.length)]!;
  }
  function payload(random: () => number, mode: string) {
    const encoding = pick(random, ENCODINGS);
    const data =
      encoding === 'BASE64' && random() < 0.7
        ? Buffer.from(text(random, 6)).toString('base64')
        : text(random, 8) + (random() < 0.5 ? '\n' : '');
    return { observedContentType: random() < 0.8 ? 'text/csv' : text(random, 3), mode, data, encoding };
  }
  /** A line in SageMaker's key order, sometimes mutated (a character dropped, doubled or replaced). */
  function sageMakerLine(random: () => number): string {
    const doc = {
      captureData: { endpointInput: payload(random, 'INPUT'), endpointOutput: payload(random, 'OUTPUT') },
      eventMetadata: {
        eventId: text(random, 3),
        ...(random() < 0.3 ? { inferenceId: text(random, 2) } : {}),
        inferenceTime: pick(random, TIMES),
      },
      eventVersion: random() < 0.9 ? '0' : text(random, 2),
    };
    const json = JSON.stringify(doc);
    if (random() < 0.7) return json;
    const at = Math.floor(random() * json.length);
    const choice = random();
    if (choice < 0.3) return json.slice(0, at) + json.slice(at + 1);
    if (choice < 0.6) return json.slice(0, at) + json[at] + json.slice(at);
    return json.slice(0, at) + pick(random, ['"', '\\', '\n', '\u0001', ' ', '}', ',']) + json.slice(at + 1);
  }

  it('gives the record and the issues that JSON.parse gives, on 20,000 generated and mutated lines', () => {
    const random = mulberry32(15);
    for (let i = 0; i < 20_000; i++) {
      const text = sageMakerLine(random);
      const fast = new IssueLog();
      const general = new IssueLog();
      const a = parseCaptureLine(text, 'f', i + 1, fast);
      const b = parseCaptureLineAsJson(text, 'f', i + 1, general);
      expect({ text, record: a }).toEqual({ text, record: b });
      expect({ text, issues: fast.toJSON() }).toEqual({ text, issues: general.toJSON() });
    }
  });
});

describe('parseUtcTime', () => {
  it('reads ISO-8601 forms as UTC and rejects the rest', () => {
    expect(parseUtcTime('2024-05-02T07:31:12Z')).toBe(Date.UTC(2024, 4, 2, 7, 31, 12));
    expect(parseUtcTime('2024-05-02T07:31:12.250Z')).toBe(Date.UTC(2024, 4, 2, 7, 31, 12, 250));
    expect(parseUtcTime('2024-05-02T07:31:12')).toBe(Date.UTC(2024, 4, 2, 7, 31, 12));
    expect(parseUtcTime('2024-05-02T09:31:12+02:00')).toBe(Date.UTC(2024, 4, 2, 7, 31, 12));
    expect(parseUtcTime('2024-05-02T02:31:12-0500')).toBe(Date.UTC(2024, 4, 2, 7, 31, 12));
    expect(parseUtcTime('2024-05-02')).toBe(Date.UTC(2024, 4, 2));
    for (const bad of ['{%s}', '', 'May 2, 2024', '1714635072', '2024-13-45T99:00:00Z', 'x'.repeat(100)]) {
      expect(parseUtcTime(bad)).toBeNaN();
    }
  });
});

describe('readCaptureRecords', () => {
  const window = { start: new Date('2024-05-02T07:00:00Z'), end: new Date('2024-05-02T08:00:00Z') };

  it('streams the records of an object and filters on inferenceTime within [start, end)', async () => {
    const file = join(root, 'window.jsonl');
    writeFileSync(
      file,
      [
        line({ eventId: 'before', time: '2024-05-02T06:59:59Z' }),
        line({ eventId: 'first', time: '2024-05-02T07:00:00Z' }),
        line({ eventId: 'no-time', time: '{%s}' }),
        line({ eventId: 'last', time: '2024-05-02T07:59:59Z' }),
        line({ eventId: 'end', time: '2024-05-02T08:00:00Z' }),
        'garbage',
        '',
        line({ eventId: 'after', time: '2024-05-03T07:30:00Z' }),
      ].join('\r\n'),
    );
    const issues = new IssueLog();
    const records = await collect(readCaptureRecords(storage, file, { window, issues }));
    expect(records.map((r) => [r.eventId, r.lineNumber])).toEqual([
      ['first', 2],
      ['last', 4],
    ]);
    expect(issues.toJSON().counts).toEqual({ invalid_inference_time: 1, invalid_json: 1, outside_window: 3 });
    // outside_window is a tally: no samples crowd out the real problems.
    expect(issues.samples.map((s) => [s.kind, s.line])).toEqual([
      ['invalid_inference_time', 3],
      ['invalid_json', 6],
    ]);
    const all = await collect(readCaptureRecords(storage, file, { issues: new IssueLog() }));
    expect(all).toHaveLength(6);
  });

  it('skips a 50 MB line, counts it, and reads on', async () => {
    const file = join(root, 'huge.jsonl');
    const huge = line({ eventId: 'huge', input: 'x'.repeat(50 * 1024 * 1024) });
    writeFileSync(file, `${line({ eventId: 'a' })}\n${huge}\n${line({ eventId: 'b' })}\n`);
    const issues = new IssueLog();
    const records = await collect(readCaptureRecords(storage, file, { window, issues }));
    expect(records.map((r) => r.eventId)).toEqual(['a', 'b']);
    expect(issues.samples).toEqual([
      { kind: 'line_too_long', source: file, line: 2, message: 'line longer than 16777216 bytes skipped' },
    ]);
    const small = new IssueLog();
    const few = await collect(
      readCaptureRecords(storage, file, { window, issues: small, maxLineBytes: 1000 }),
    );
    expect(few).toHaveLength(2);
    expect(small.counts.get('line_too_long')).toBe(1);
  });

  it('counts non-UTF-8 lines and keeps their records', async () => {
    const file = join(root, 'latin1.jsonl');
    const good = Buffer.from(`${line({ eventId: 'a' })}\n`);
    const bad = Buffer.from(line({ eventId: 'b', input: 'caf\u00e9,1,2' }), 'latin1');
    writeFileSync(file, Buffer.concat([good, bad]));
    const issues = new IssueLog();
    const records = await collect(readCaptureRecords(storage, file, { window, issues }));
    expect(records.map((r) => r.eventId)).toEqual(['a', 'b']);
    expect(records[1]!.input!.data).toBe('caf\uFFFD,1,2');
    expect(issues.samples.map((s) => [s.kind, s.line])).toEqual([['invalid_utf8', 2]]);
  });

  it('reads a thousand records in order', async () => {
    const file = join(root, 'many.jsonl');
    const lines = Array.from({ length: 1000 }, (_, i) =>
      line({ eventId: `e${i}`, time: new Date(window.start.getTime() + i * 1000).toISOString() }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const issues = new IssueLog();
    const records = await collect(readCaptureRecords(storage, file, { window, issues }));
    expect(records.map((r) => r.eventId)).toEqual(lines.map((_, i) => `e${i}`));
    expect(issues.total).toBe(0);
  });
});

describe('readCaptureBatches', () => {
  it('yields small batches across chunk boundaries, in order, with the same records as readCaptureRecords', async () => {
    const file = join(root, 'batches.jsonl');
    const start = Date.UTC(2024, 4, 2, 7);
    // ~5 MB: several 1 MiB chunks, so lines straddle chunk boundaries.
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      line({
        eventId: `e${i}`,
        input: `${i},${'7'.repeat(i % 900)}`,
        time: new Date(start + i * 100).toISOString(),
      }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const window = { start: new Date(start), end: new Date(start + 500_000) };
    const issues = new IssueLog();
    const batches = await collect(readCaptureBatches(storage, file, { window, issues }));
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(5000 / 128));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(128);
    const ids = batches.flat().map((r) => r.eventId);
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => `e${i}`));
    expect(batches.flat().every((r, i) => r.lineNumber === i + 1 && r.input!.data.startsWith(`${i},`))).toBe(
      true,
    );
    expect(issues.toJSON().counts).toEqual({ outside_window: 5000 });
    const single = await collect(readCaptureRecords(storage, file, { window, issues: new IssueLog() }));
    expect(single.map((r) => r.eventId)).toEqual(ids);
  });

  it('stops reading (and closes the object) when the consumer stops early', async () => {
    const file = join(root, 'early.jsonl');
    writeFileSync(file, `${Array.from({ length: 1000 }, (_, i) => line({ eventId: `e${i}` })).join('\n')}\n`);
    const issues = new IssueLog();
    let seen = 0;
    for await (const record of readCaptureRecords(storage, file, { issues })) {
      seen++;
      if (record.eventId === 'e9') break;
    }
    expect(seen).toBe(10);
    expect(issues.total).toBe(0);
  });

  it('throws InputError for an object that does not exist', async () => {
    await expect(
      collect(readCaptureRecords(storage, join(root, 'nope.jsonl'), { issues: new IssueLog() })),
    ).rejects.toThrow(/cannot read/);
  });
});

describe('real SageMaker capture samples', () => {
  const samples = join(import.meta.dirname, '../../../shared/sagemaker-samples');
  const files = [
    ['amazon-sagemaker-examples/sagemaker_model_monitor/introduction/capture_records_first3.jsonl', 3, 'CSV'],
    ['sagemaker-python-sdk/tests/data/monitor/capture.jsonl', 44, 'CSV'],
    ['sagemaker-python-sdk/tests/data/monitor/captured-data.jsonl', 2, 'JSON'],
  ] as const;

  it('parse without issues (skipped with a notice when ../shared is absent)', async () => {
    if (!existsSync(samples)) {
      console.warn(`notice: ${samples} not found; the real-sample check did not run`);
      return;
    }
    for (const [path, count, encoding] of files) {
      const issues = new IssueLog();
      const records = await collect(readCaptureRecords(storage, join(samples, path), { issues }));
      expect(records, path).toHaveLength(count);
      expect(issues.total, path).toBe(0);
      for (const r of records) {
        expect(r.eventId).toMatch(/^[0-9a-f-]{36}$/);
        expect(r.input?.encoding).toBe(encoding);
        expect(r.output?.encoding).toBe(encoding);
      }
      // Line-by-line parsing agrees with the streamed reader.
      const text = readFileSync(join(samples, path), 'utf8').split('\n').filter(Boolean);
      expect(text).toHaveLength(count);
    }
    // The notebook's records carry real times; the SDK's CSV fixture is templated ("{%s}").
    const issues = new IssueLog();
    const real = await collect(readCaptureRecords(storage, join(samples, files[0][0]), { issues }));
    expect(real.map((r) => r.inferenceTime?.toISOString())).toEqual([
      '2022-04-18T00:21:48.000Z',
      '2022-04-18T00:21:49.000Z',
      '2022-04-18T00:21:50.000Z',
    ]);
    expect(real[0]!.input!.data.split(',')).toHaveLength(69);
  });
});
