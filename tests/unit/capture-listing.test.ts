import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GROUND_TRUTH_HORIZON,
  groundTruthFolders,
  listGroundTruthObjects,
} from '../../src/capture/ground-truth.js';
import {
  hourPrefixes,
  listCaptureObjects,
  listHourPartitionedObjects,
  listSubfolders,
} from '../../src/capture/index.js';
import { parseDuration } from '../../src/config/schedule.js';
import { ConfigError } from '../../src/core/errors.js';
import { LocalStorage } from '../../src/io/local-storage.js';
import type { ObjectInfo, Storage } from '../../src/io/storage.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

const root = mkdtempSync(join(tmpdir(), 'dw-capture-listing-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hourPrefixes', () => {
  it('lists every UTC hour overlapping [start, end)', () => {
    expect(
      hourPrefixes('s3://b/cap', new Date('2024-05-02T07:30:00Z'), new Date('2024-05-02T09:00:00Z')),
    ).toEqual(['s3://b/cap/2024/05/02/07/', 's3://b/cap/2024/05/02/08/']);
    // An end one millisecond into an hour includes that hour; a trailing slash on the prefix is absorbed.
    expect(
      hourPrefixes('s3://b/cap/', new Date('2024-05-02T07:00:00Z'), new Date('2024-05-02T08:00:00.001Z')),
    ).toEqual(['s3://b/cap/2024/05/02/07/', 's3://b/cap/2024/05/02/08/']);
  });

  it('crosses midnight, month and year ends (UTC, zero-padded)', () => {
    expect(hourPrefixes('/d', new Date('2023-12-31T22:10:00Z'), new Date('2024-01-01T01:00:00Z'))).toEqual([
      '/d/2023/12/31/22/',
      '/d/2023/12/31/23/',
      '/d/2024/01/01/00/',
    ]);
    expect(hourPrefixes('/d', new Date('2024-02-29T23:59:59Z'), new Date('2024-03-01T00:00:01Z'))).toEqual([
      '/d/2024/02/29/23/',
      '/d/2024/03/01/00/',
    ]);
    // Non-UTC offsets are converted: 01:30+02:00 is 23:30 UTC the day before.
    expect(
      hourPrefixes('/d', new Date('2024-05-03T01:30:00+02:00'), new Date('2024-05-03T00:00:00Z')),
    ).toEqual(['/d/2024/05/02/23/']);
  });

  it('gives 24 prefixes for a day and none for an empty or inverted window', () => {
    const day = hourPrefixes('/d', new Date('2024-05-02T00:00:00Z'), new Date('2024-05-03T00:00:00Z'));
    expect(day).toHaveLength(24);
    expect(day[0]).toBe('/d/2024/05/02/00/');
    expect(day[23]).toBe('/d/2024/05/02/23/');
    const t = new Date('2024-05-02T07:00:00Z');
    expect(hourPrefixes('/d', t, t)).toEqual([]);
    expect(hourPrefixes('/d', t, new Date('2024-05-02T06:00:00Z'))).toEqual([]);
  });

  it('rejects invalid dates with a ConfigError', () => {
    expect(() => hourPrefixes('/d', new Date('nope'), new Date())).toThrow(ConfigError);
  });
});

describe('listing capture objects', () => {
  const storage = new LocalStorage();
  const cap = join(root, 'capture');
  const files = [
    'ep/AllTraffic/2024/05/01/23/59-10-000-a.jsonl',
    'ep/AllTraffic/2024/05/02/00/01-00-000-b.jsonl',
    'ep/AllTraffic/2024/05/02/00/07-31-412-c.jsonl',
    'ep/AllTraffic/2024/05/02/00/notes.txt',
    'ep/AllTraffic/2024/05/02/01/00-00-000-d.jsonl',
    'ep/AllTraffic/2024/05/02/02/00-00-000-e.jsonl',
    'ep/Canary/2024/05/02/00/02-00-000-f.jsonl',
    'other/AllTraffic/2024/05/02/00/02-00-000-g.jsonl',
  ];
  const window = { start: new Date('2024-05-02T00:00:00Z'), end: new Date('2024-05-02T02:00:00Z') };

  it('lists the overlapping hour folders of every variant, in key order, .jsonl only', async () => {
    await Promise.all(files.map((f) => storage.write(join(cap, f), '{}\n')));
    const all = await collect(listCaptureObjects(storage, cap, 'ep', window));
    expect(all.map((o) => o.uri.slice(cap.length + 1))).toEqual([
      'ep/AllTraffic/2024/05/02/00/01-00-000-b.jsonl',
      'ep/AllTraffic/2024/05/02/00/07-31-412-c.jsonl',
      'ep/AllTraffic/2024/05/02/01/00-00-000-d.jsonl',
      'ep/Canary/2024/05/02/00/02-00-000-f.jsonl',
    ]);
    const canary = await collect(listCaptureObjects(storage, cap, 'ep', window, { variant: 'Canary' }));
    expect(canary.map((o) => o.uri.slice(cap.length + 1))).toEqual([
      'ep/Canary/2024/05/02/00/02-00-000-f.jsonl',
    ]);
    expect(await collect(listCaptureObjects(storage, cap, 'missing-endpoint', window))).toEqual([]);
  });

  it('lists across midnight with a custom suffix', async () => {
    const txt = await collect(
      listHourPartitionedObjects(
        storage,
        join(cap, 'ep/AllTraffic'),
        new Date('2024-05-01T23:30:00Z'),
        window.end,
        {
          suffix: '.txt',
        },
      ),
    );
    expect(txt.map((o) => o.uri.slice(cap.length + 1))).toEqual(['ep/AllTraffic/2024/05/02/00/notes.txt']);
    const jsonl = await collect(
      listHourPartitionedObjects(
        storage,
        join(cap, 'ep/AllTraffic'),
        new Date('2024-05-01T23:30:00Z'),
        window.end,
      ),
    );
    expect(jsonl).toHaveLength(4);
  });

  it('finds variants without Storage.listFolders through a recursive listing', async () => {
    const plain: Storage = {
      readStream: (u) => storage.readStream(u),
      readText: (u) => storage.readText(u),
      readRange: (u, s, e) => storage.readRange(u, s, e),
      head: (u) => storage.head(u),
      list: (u) => storage.list(u),
      write: (u, b, o) => storage.write(u, b, o),
      delete: (u) => storage.delete(u),
    };
    expect(await collect(listSubfolders(plain, join(cap, 'ep')))).toEqual(['AllTraffic', 'Canary']);
    const all: ObjectInfo[] = await collect(listCaptureObjects(plain, cap, 'ep', window));
    expect(all).toHaveLength(4);
  });

  it('rejects endpoint or variant names that are not one folder', async () => {
    await expect(collect(listCaptureObjects(storage, cap, '../ep', window))).rejects.toThrow(ConfigError);
    await expect(collect(listCaptureObjects(storage, cap, 'ep', window, { variant: '..' }))).rejects.toThrow(
      ConfigError,
    );
  });

  it('propagates a listing failure of a later hour without an unhandled rejection', async () => {
    let calls = 0;
    const failing: Storage = {
      ...storage,
      readStream: (u) => storage.readStream(u),
      readText: (u) => storage.readText(u),
      readRange: (u, s, e) => storage.readRange(u, s, e),
      head: (u) => storage.head(u),
      write: (u, b, o) => storage.write(u, b, o),
      delete: (u) => storage.delete(u),
      list(u) {
        calls++;
        if (calls === 2) throw new Error('boom');
        return storage.list(u);
      },
    };
    await expect(
      collect(listHourPartitionedObjects(failing, join(cap, 'ep/AllTraffic'), window.start, window.end)),
    ).rejects.toThrow('boom');
  });
});

describe('ground-truth listing (issue 12: bounded, by day)', () => {
  const gt = join(root, 'gt');
  const storage = new LocalStorage();
  const counting = (): { storage: Storage; prefixes: string[] } => {
    const prefixes: string[] = [];
    return {
      prefixes,
      storage: {
        readStream: (u) => storage.readStream(u),
        readText: (u) => storage.readText(u),
        readRange: (u, s, e) => storage.readRange(u, s, e),
        head: (u) => storage.head(u),
        write: (u, b, o) => storage.write(u, b, o),
        delete: (u) => storage.delete(u),
        list(u) {
          prefixes.push(u);
          return storage.list(u);
        },
      },
    };
  };

  it('lists one prefix per day and keeps only the hours of the window', async () => {
    for (const hour of ['2024/05/01/22', '2024/05/02/03', '2024/05/02/10', '2024/05/03/00'])
      await storage.write(join(gt, hour, 'labels.jsonl'), '{}\n');
    const { storage: s, prefixes } = counting();
    const found = await collect(
      listHourPartitionedObjects(s, gt, new Date('2024-05-01T23:00:00Z'), new Date('2024-05-02T04:00:00Z'), {
        by: 'day',
      }),
    );
    expect(found.map((o) => o.uri.slice(gt.length + 1))).toEqual(['2024/05/02/03/labels.jsonl']);
    expect(prefixes.map((p) => p.slice(gt.length + 1))).toEqual(['2024/05/01/', '2024/05/02/']);
    // The same objects as the hour-by-hour listing, for a window over three days.
    const start = new Date('2024-05-01T20:30:00Z');
    const end = new Date('2024-05-03T00:00:01Z');
    expect(await collect(listGroundTruthObjects(storage, gt, { start, end }))).toEqual(
      await collect(listHourPartitionedObjects(storage, gt, start, end)),
    );
  });

  it('a window ten months old reads a few days of label folders after its end, not every hour until now', async () => {
    const window = { start: new Date('2025-01-10T10:00:00Z'), end: new Date('2025-01-10T11:00:00Z') };
    const now = new Date('2025-11-20T12:00:00Z');
    // Unbounded (the old rule): every hour folder from the window's start until now.
    const unbounded = groundTruthFolders(window, now);
    expect(hourPrefixes(gt, unbounded.start, unbounded.end).length).toBe(7_538);
    const folders = groundTruthFolders(window, now, parseDuration(DEFAULT_GROUND_TRUTH_HORIZON));
    expect(folders).toEqual({ start: window.start, end: new Date('2025-01-13T11:00:00Z') });
    const { storage: s, prefixes } = counting();
    await collect(listGroundTruthObjects(s, gt, folders));
    expect(prefixes).toHaveLength(4); // 10, 11, 12 and 13 January
    // readUntil before the horizon wins; never before the window's end.
    expect(groundTruthFolders(window, new Date('2025-01-11T00:00:00Z'), 3 * 86_400_000).end).toEqual(
      new Date('2025-01-11T00:00:00Z'),
    );
    expect(groundTruthFolders(window, new Date('2025-01-10T10:30:00Z'), 0).end).toEqual(window.end);
  });
});
