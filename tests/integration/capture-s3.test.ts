import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRowBuilder,
  listCaptureObjects,
  loadPreprocessor,
  readCaptureRecords,
} from '../../src/capture/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { IssueLog } from '../../src/core/issues.js';
import type { Cell } from '../../src/core/types.js';
import { S3Storage } from '../../src/io/s3-storage.js';
import { freshBucket, testS3Client } from '../support/aws.js';

const storage = new S3Storage({ client: testS3Client() });
afterAll(() => storage.destroy());

function captureLine(eventId: string, time: string, input: string, output: string): string {
  return JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: input, encoding: 'CSV' },
      endpointOutput: {
        observedContentType: 'text/csv; charset=utf-8',
        mode: 'OUTPUT',
        data: output,
        encoding: 'CSV',
      },
    },
    eventMetadata: { eventId, inferenceTime: time },
    eventVersion: '0',
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

describe('capture on S3 (moto)', () => {
  it('lists the window across midnight for every variant and reads records from S3', async () => {
    const bucket = await freshBucket('dw-capture');
    const capture = `s3://${bucket}/datacapture`;
    const objects: Array<[string, string[]]> = [
      // The hour before the window: listed out, never read.
      [
        'ep/AllTraffic/2024/05/01/22/59-00-000-a.jsonl',
        [captureLine('too-early', '2024-05-01T22:59:00Z', '1,2', '0')],
      ],
      // First hour of the window, with a record written late from the hour before.
      [
        'ep/AllTraffic/2024/05/01/23/00-01-000-b.jsonl',
        [
          captureLine('late', '2024-05-01T22:59:59Z', '1,2', '0'),
          captureLine('a1', '2024-05-01T23:00:01Z', '41,3', '0.9'),
          'not json',
        ],
      ],
      [
        'ep/AllTraffic/2024/05/02/00/10-00-000-c.jsonl',
        [captureLine('a2', '2024-05-02T00:10:00Z', '42,4\n43,5', '0.1\n0.2')],
      ],
      ['ep/AllTraffic/2024/05/02/00/readme.txt', ['ignored']],
      [
        'ep/Canary/2024/05/02/00/20-00-000-d.jsonl',
        [captureLine('c1', '2024-05-02T00:20:00Z', '44,6,extra', '0.3')],
      ],
      [
        'ep/AllTraffic/2024/05/02/01/00-00-000-e.jsonl',
        [captureLine('too-late', '2024-05-02T01:00:00Z', '1,2', '0')],
      ],
    ];
    await Promise.all(
      objects.map(([key, lines]) => storage.write(`${capture}/${key}`, `${lines.join('\n')}\n`)),
    );
    const window = { start: new Date('2024-05-01T23:00:00Z'), end: new Date('2024-05-02T01:00:00Z') };

    const listed = await collect(listCaptureObjects(storage, capture, 'ep', window));
    expect(listed.map((o) => o.uri.slice(capture.length + 1))).toEqual([
      'ep/AllTraffic/2024/05/01/23/00-01-000-b.jsonl',
      'ep/AllTraffic/2024/05/02/00/10-00-000-c.jsonl',
      'ep/Canary/2024/05/02/00/20-00-000-d.jsonl',
    ]);
    expect(listed.every((o) => o.size > 0 && o.etag.length > 0)).toBe(true);

    const names = ['score', 'age', 'tenure'];
    const index = new Map(names.map((n, i) => [n, i]));
    const resolver = {
      columnIndex(name: string): number {
        let i = index.get(name);
        if (i === undefined) {
          i = names.length;
          names.push(name);
          index.set(name, i);
        }
        return i;
      },
    };
    const issues = new IssueLog();
    const build = createRowBuilder(resolver, { baselineColumns: ['score', 'age', 'tenure'], issues });
    const rows: Cell[][] = [];
    const ids: string[] = [];
    for (const object of listed) {
      for await (const record of readCaptureRecords(storage, object.uri, { window, issues })) {
        ids.push(record.eventId!);
        build(record, (cells) => rows.push(cells));
      }
    }
    expect(ids).toEqual(['a1', 'a2', 'c1']);
    expect(rows).toEqual([
      ['0.9', '41', '3'],
      ['0.1', '42', '4'],
      ['0.2', '43', '5'],
      ['0.3', '44', '6', 'extra'],
    ]);
    expect(names).toEqual(['score', 'age', 'tenure', '_c3']);
    expect(issues.toJSON().counts).toEqual({ column_count: 1, invalid_json: 1, outside_window: 1 });
    expect(issues.samples.find((s) => s.kind === 'invalid_json')).toMatchObject({
      source: `${capture}/ep/AllTraffic/2024/05/01/23/00-01-000-b.jsonl`,
      line: 3,
    });

    const canaryOnly = await collect(
      listCaptureObjects(storage, capture, 'ep', window, { variant: 'Canary' }),
    );
    expect(canaryOnly).toHaveLength(1);
  });

  it('loads a preprocessor module from S3', async () => {
    const bucket = await freshBucket('dw-capture');
    const uri = `s3://${bucket}/hooks/pre.mjs`;
    const source = 'export function preprocess(r) { return { id: r.eventId }; }\n';
    await storage.write(uri, source);
    await expect(loadPreprocessor(uri, { storage })).rejects.toThrow(/must be pinned/);
    const sha256 = createHash('sha256').update(source).digest('hex');
    const hook = await loadPreprocessor(uri, { storage, sha256 });
    expect(
      hook({
        eventId: 'from-s3',
        inferenceId: undefined,
        inferenceTime: undefined,
        input: undefined,
        output: undefined,
        customAttributes: undefined,
        lineNumber: 1,
        source: uri,
      }),
    ).toEqual({ id: 'from-s3' });
    await expect(loadPreprocessor(`s3://${bucket}/hooks/missing.mjs`, { storage })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});
