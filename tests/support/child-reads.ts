/**
 * Reads dataset files with driftwatch's readers in child processes (tests/support/read-datasets-child.mjs,
 * over the build in dist/) under a V8 heap limit and a per-file time limit: a file that hangs the reader or
 * drives its memory past the limit is named instead of taking the test runner down. After a hang or a
 * death the next file is read by a fresh child.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./read-datasets-child.mjs', import.meta.url));

/** What reading one file came to. */
export type ReadOutcome =
  | { kind: 'ok'; rows: number }
  | { kind: 'error'; errorClass: string; message: string }
  | { kind: 'hang' }
  | { kind: 'died'; detail: string };

export async function readInChildren(
  format: string,
  files: readonly string[],
  options: { heapMb: number; perFileMs: number },
): Promise<ReadOutcome[]> {
  const outcomes: Array<ReadOutcome | undefined> = new Array(files.length).fill(undefined);
  let next = 0;
  while (next < files.length) {
    next = await new Promise<number>((resolve) => {
      const start = next;
      const child = spawn(
        process.execPath,
        [`--max-old-space-size=${options.heapMb}`, CHILD, format, ...files.slice(start)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let current = start;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          outcomes[current] = { kind: 'hang' };
          child.kill('SIGKILL');
        }, options.perFileMs);
      };
      arm();
      let pending = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (data: string) => {
        pending += data;
        for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
          const line = pending.slice(0, i);
          pending = pending.slice(i + 1);
          const [word, index, ...rest] = line.split(' ');
          const at = start + Number(index);
          if (word === 'start') {
            current = at;
            arm();
          } else if (word === 'ok') outcomes[at] = { kind: 'ok', rows: Number(rest[0]) };
          else if (word === 'error')
            outcomes[at] = { kind: 'error', errorClass: rest[0] ?? '', message: rest.slice(1).join(' ') };
        }
      });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (data: string) => {
        stderr = (stderr + data).slice(-4000);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (outcomes[current] === undefined)
          outcomes[current] = {
            kind: 'died',
            detail: `exit ${code ?? signal}: ${stderr.split('\n').find((l) => /heap|memory|Error/i.test(l)) ?? ''}`,
          };
        resolve(current + 1);
      });
    });
  }
  return outcomes.map((o) => o ?? { kind: 'died', detail: 'no outcome' });
}
