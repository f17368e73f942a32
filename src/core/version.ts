/**
 * driftwatch's version, read once at run time from its own `package.json` (the one place it is written),
 * so the CLI's `--version` and every execution summary name the release that produced them. Works from
 * the sources (`src/core/`), the build (`dist/src/core/`) and an installed package
 * (`node_modules/driftwatch/dist/src/core/`): the nearest `package.json` above this file named
 * `driftwatch` is used.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The version of this driftwatch package (e.g. `0.1.0`), from its `package.json`; `0.0.0-unknown` if not found. */
export function driftwatchVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (json.name === 'driftwatch' && typeof json.version === 'string') {
        cached = json.version;
        return cached;
      }
    } catch {
      // no package.json here (or unreadable): look one folder up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cached = '0.0.0-unknown';
  return cached;
}
