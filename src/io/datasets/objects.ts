/**
 * What a dataset URI names: one object, or every data object below a prefix (a Spark/SageMaker dataset split
 * in part files, markers and hidden files skipped), and the format to read them in (given, or from the
 * names' extensions). The reading itself: index.ts.
 */
import { ConfigError, InputError } from '../../core/errors.js';
import { parseUri } from '../../core/uri.js';
import { localPath } from '../local-storage.js';
import { isS3Uri, type ObjectInfo, type Storage } from '../storage.js';

/** A dataset file format. */
export type DatasetFormat = 'csv' | 'jsonl' | 'arrow' | 'parquet';

const EXTENSIONS: ReadonlyArray<readonly [string, DatasetFormat]> = [
  ['.csv', 'csv'],
  ['.jsonl', 'jsonl'],
  ['.json', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.arrow', 'arrow'],
  ['.feather', 'arrow'],
  ['.ipc', 'arrow'],
  ['.arrows', 'arrow'],
  ['.parquet', 'parquet'],
  ['.pq', 'parquet'],
];

/** The format implied by a file name's extension, or undefined. */
export function formatFromName(name: string): DatasetFormat | undefined {
  const lower = name.toLowerCase().replace(/\/+$/, '').replace(/\.gz$/, '');
  for (const [extension, format] of EXTENSIONS) if (lower.endsWith(extension)) return format;
  return undefined;
}

/** A `.gz` name (Arrow and Parquet need random access: refused gzipped). */
export function isGzipped(uri: string): boolean {
  return uri.toLowerCase().endsWith('.gz');
}

/** Part files to skip below a prefix: Spark/Hadoop markers and metadata (`_SUCCESS`, `_metadata`), hidden files, checksums. */
function isDataObject(relativeKey: string): boolean {
  if (relativeKey === '' || relativeKey.endsWith('/')) return false; // "folder" marker objects
  for (const segment of relativeKey.split('/')) {
    if (segment.startsWith('.') || segment.startsWith('_')) return false;
  }
  return !relativeKey.endsWith('.crc');
}

/** The objects of a dataset: the object itself, or every data object below the prefix, in key order. */
export async function resolveObjects(storage: Storage, uri: string): Promise<ObjectInfo[]> {
  // A URI ending in "/" (or a bare bucket) names a prefix: no object to look for.
  const parsed = parseUri(uri);
  const prefixOnly = uri.endsWith('/') || (parsed.kind === 's3' && parsed.key === '');
  const single = prefixOnly ? undefined : await storage.head(uri);
  if (single) return [single];
  const prefix = uri.endsWith('/') ? uri : `${uri}/`;
  const base = isS3Uri(prefix) ? prefix : `${localPath(prefix)}/`;
  const objects: ObjectInfo[] = [];
  for await (const info of storage.list(prefix)) {
    const relative = info.uri.startsWith(base) ? info.uri.slice(base.length) : info.uri;
    if (isDataObject(relative)) objects.push(info);
  }
  if (objects.length === 0) throw new InputError(`${uri}: no such file, and no data files below it`);
  return objects;
}

/** The format: the explicit one, else the URI's extension, else the one extension every object shares. */
export function chooseFormat(
  uri: string,
  objects: readonly ObjectInfo[],
  explicit: DatasetFormat | undefined,
): DatasetFormat {
  if (explicit) {
    if (!EXTENSIONS.some(([, format]) => format === explicit)) {
      throw new ConfigError(
        `unknown dataset format ${JSON.stringify(explicit)} (csv, jsonl, arrow or parquet)`,
        {
          file: uri,
          field: 'format',
        },
      );
    }
    return explicit;
  }
  const own = formatFromName(uri);
  if (own) return own;
  let found: DatasetFormat | undefined;
  for (const object of objects) {
    const format = formatFromName(object.uri);
    if (!format) {
      throw new ConfigError(
        `cannot tell the format of ${object.uri} from its name: set the format (csv, jsonl, arrow or parquet)`,
        {
          file: uri,
          field: 'format',
        },
      );
    }
    if (found && format !== found) {
      throw new ConfigError(
        `mixed formats below the prefix (${found} and ${format}, at ${object.uri}): set the format`,
        {
          file: uri,
          field: 'format',
        },
      );
    }
    found = format;
  }
  if (!found) throw new ConfigError('cannot tell the dataset format: set it', { file: uri, field: 'format' });
  return found;
}
