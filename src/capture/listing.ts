/**
 * Window → objects to read, for hour-partitioned folders (spec §1.1 and §2.2):
 *
 *   <prefix>/<yyyy>/<mm>/<dd>/<hh>/<file>.jsonl          (UTC hour, zero-padded)
 *
 * Capture data lives at `<capture>/<endpoint>/<variant>/yyyy/mm/dd/hh/`, ground truth at
 * `<ground-truth>/yyyy/mm/dd/hh/`. Records in a file are not guaranteed to fall inside the hour of
 * their folder, so a window lists every hour folder that overlaps it and the reader then filters on
 * `inferenceTime` (see `readCaptureRecords`).
 */
import { ConfigError } from '../core/errors.js';
import { hourPath } from '../core/hours.js';
import type { Window } from '../core/types.js';
import { checkWindow } from '../core/window.js';
import { joinUri, type ObjectInfo, type Storage } from '../io/storage.js';

const HOUR_MS = 3_600_000;
/** Hour folders listed ahead of the one being consumed (S3 list calls overlap with reading). */
const LIST_LOOKAHEAD = 4;

/**
 * `<prefix>/yyyy/mm/dd/hh/` for every UTC hour that overlaps `[start, end)`, oldest first.
 * An empty or inverted window gives no prefixes.
 *
 * @example hourPrefixes('s3://b/cap', new Date('2024-05-02T07:30Z'), new Date('2024-05-02T09:00Z'))
 *   // ['s3://b/cap/2024/05/02/07/', 's3://b/cap/2024/05/02/08/']
 */
export function hourPrefixes(prefixUri: string, start: Date, end: Date): string[] {
  checkWindow(start, end, { allowEmpty: true });
  const out: string[] = [];
  const endMs = end.getTime();
  for (let t = Math.floor(start.getTime() / HOUR_MS) * HOUR_MS; t < endMs; t += HOUR_MS) {
    out.push(joinUri(prefixUri, `${hourPath(new Date(t))}/`));
  }
  return out;
}

/**
 * The objects of `count` folder listings in order, `listing(i)` started up to LIST_LOOKAHEAD folders ahead
 * of the one being consumed, so on S3 the list calls overlap with the caller's reading.
 */
async function* listAhead(
  count: number,
  listing: (i: number) => Promise<ObjectInfo[]>,
): AsyncIterable<ObjectInfo> {
  const pending: Array<Promise<ObjectInfo[]>> = [];
  let next = 0;
  const fill = (): void => {
    while (pending.length < LIST_LOOKAHEAD && next < count) {
      const listed = listing(next++);
      // Awaited below in order; this only keeps a failure of a later folder from being "unhandled"
      // while an earlier one is still being consumed.
      listed.catch(() => undefined);
      pending.push(listed);
    }
  };
  fill();
  while (pending.length > 0) {
    const objects = await pending.shift()!;
    fill();
    yield* objects;
  }
}

async function collect(items: AsyncIterable<ObjectInfo>, suffix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  // `<suffix>.gz` too: gzipped copies of capture files are read through (see io/gzip.ts).
  for await (const item of items)
    if (item.uri.endsWith(suffix) || item.uri.endsWith(`${suffix}.gz`)) out.push(item);
  return out;
}

const DAY_MS = 24 * HOUR_MS;

/**
 * Every object whose name ends with `suffix` (default `.jsonl`) or `suffix.gz` in the hour folders overlapping
 * `[start, end)`, in key order. A few folders are listed ahead, so on S3 the list calls overlap with the
 * caller's reading.
 *
 * - `by: 'hour'` (default): one LIST per hour folder; each is small (SageMaker writes a file every few
 *   minutes). An empty window lists nothing.
 * - `by: 'day'`: one LIST per **day** prefix (`<prefix>/yyyy/mm/dd/`): a few days of ground truth are a few
 *   LIST calls, not 24 a day. Keys outside the window's hours (the first and last day's other hours,
 *   anything not `hh/<file>`) are left out. The window must not be empty.
 */
export async function* listHourPartitionedObjects(
  storage: Storage,
  prefixUri: string,
  start: Date,
  end: Date,
  options: { suffix?: string; by?: 'hour' | 'day' } = {},
): AsyncIterable<ObjectInfo> {
  const suffix = options.suffix ?? '.jsonl';
  if (options.by !== 'day') {
    const prefixes = hourPrefixes(prefixUri, start, end);
    yield* listAhead(prefixes.length, (i) => collect(storage.list(prefixes[i]!), suffix));
    return;
  }
  checkWindow(start, end);
  const firstHour = Math.floor(start.getTime() / HOUR_MS) * HOUR_MS;
  const endMs = end.getTime();
  const days: string[] = [];
  for (let day = Math.floor(firstHour / DAY_MS) * DAY_MS; day < endMs; day += DAY_MS)
    days.push(joinUri(prefixUri, `${hourPath(new Date(day)).slice(0, 10)}/`));
  yield* listAhead(days.length, (i) =>
    collect(storage.list(days[i]!), suffix).then((objects) =>
      objects.filter((o) => {
        // The hour folder is read from the key's end (`yyyy/mm/dd/hh/<file>`, `/` or the local separator).
        const m = /(\d{4})[/\\](\d{2})[/\\](\d{2})[/\\](\d{2})[/\\][^/\\]+$/.exec(o.uri);
        if (!m) return false;
        const hour = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!);
        return hour >= firstHour && hour < endMs;
      }),
    ),
  );
}

/** Rejects names that would climb out of the capture folder or span several path segments. */
function checkSegment(name: string, field: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) {
    throw new ConfigError(`not a single folder name: ${JSON.stringify(name)}`, { field });
  }
}

/** The immediate sub-folders of a prefix, through `Storage.listFolders` when the storage has it. */
export async function* listSubfolders(storage: Storage, prefixUri: string): AsyncIterable<string> {
  if (storage.listFolders) {
    yield* storage.listFolders(prefixUri);
    return;
  }
  // Fallback: a recursive listing, keeping only the distinct first path segments.
  const base = prefixUri.endsWith('/') ? prefixUri : `${prefixUri}/`;
  const seen = new Set<string>();
  for await (const item of storage.list(base)) {
    if (!item.uri.startsWith(base)) continue;
    const rest = item.uri.slice(base.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) continue;
    const name = rest.slice(0, slash);
    seen.add(name);
  }
  yield* [...seen].sort();
}

/**
 * The capture objects of an endpoint for a window: `<capture>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl`
 * for every hour overlapping the window. `variant` undefined = every variant folder found under
 * `<capture>/<endpoint>/` (variant by variant, each in key order).
 */
export async function* listCaptureObjects(
  storage: Storage,
  captureUri: string,
  endpoint: string,
  window: Window,
  options: { variant?: string } = {},
): AsyncIterable<ObjectInfo> {
  checkSegment(endpoint, 'endpoint');
  if (options.variant !== undefined) checkSegment(options.variant, 'variant');
  checkWindow(window.start, window.end, { allowEmpty: true });
  const endpointUri = joinUri(captureUri, endpoint);
  const variants: string[] = [];
  if (options.variant !== undefined) variants.push(options.variant);
  else for await (const name of listSubfolders(storage, endpointUri)) variants.push(name);
  for (const variant of variants) {
    yield* listHourPartitionedObjects(storage, joinUri(endpointUri, variant), window.start, window.end);
  }
}
