// Reads each dataset file given on the command line with driftwatch's readers (the build, dist/), one after
// another, and prints one line per file: `start <i>`, then `ok <i> <rows>` or `error <i> <class> <message>`.
// Run by tests/unit/hostile-arrow-fuzz.test.ts in a child process with a heap limit and a per-file timeout,
// so that a hang or an out-of-memory names the file that caused it.
import { IssueLog } from '../../dist/src/core/issues.js';
import { openDataset } from '../../dist/src/io/datasets/index.js';
import { LocalStorage } from '../../dist/src/io/local-storage.js';

const storage = new LocalStorage();
const [format, ...files] = process.argv.slice(2);
for (const [i, file] of files.entries()) {
  process.stdout.write(`start ${i}\n`);
  try {
    const reader = await openDataset(storage, file, { format, issues: new IssueLog() });
    let rows = 0;
    for await (const _ of reader.rows()) rows++;
    process.stdout.write(`ok ${i} ${rows}\n`);
  } catch (error) {
    const e = /** @type {Error} */ (error);
    process.stdout.write(
      `error ${i} ${e?.constructor?.name ?? typeof e} ${String(e?.message).replace(/\s+/g, ' ').slice(0, 200)}\n`,
    );
  }
}
