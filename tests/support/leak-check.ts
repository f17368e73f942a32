/**
 * A test file that leaves a connection, server, child process or timer open fails (style: "a test that
 * leaves a worker or connection open fails"). The resources keeping the event loop alive are counted by
 * type when the file starts (before it is imported) and again after its last hook; anything more, still
 * there after up to 5 s of closing (sockets close asynchronously), fails the file with the list.
 */
import { afterAll } from 'vitest';

/** Handles the test runner itself holds or that do not outlive their owner (stdio, immediates). */
const IGNORED = new Set(['TTYWrap', 'PipeWrap', 'Immediate', 'SignalWrap', 'FSReqCallback', 'FSReqPromise']);
const SETTLE_MS = 5_000;

function counts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    if (!IGNORED.has(type)) out.set(type, (out.get(type) ?? 0) + 1);
  }
  return out;
}

function leaked(before: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [type, n] of counts()) {
    const extra = n - (before.get(type) ?? 0);
    if (extra > 0) out.push(`${extra} × ${type}`);
  }
  return out;
}

const before = counts();

afterAll(async () => {
  const deadline = Date.now() + SETTLE_MS;
  let open = leaked(before);
  while (open.length > 0 && Date.now() < deadline) {
    // Each poll's own timer has fired (and is gone) when the count is taken.
    await new Promise((resolve) => setTimeout(resolve, 25));
    open = leaked(before);
  }
  if (open.length > 0) {
    throw new Error(
      `this test file left open: ${open.join(', ')} (close servers, connections, workers and child processes; clear timers)`,
    );
  }
});
