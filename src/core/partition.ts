/**
 * The one size-balanced partitioner: a window's capture objects split into groups of about equal bytes,
 * for the worker's parts (jobs/processor.ts) and for profiling threads (monitor/parallel.ts). Groups hold
 * consecutive objects, so each group reads a contiguous run of the window in key order and partial
 * profiles merge in that order.
 */

/**
 * Splits objects (kept in order) into at most `maxParts` non-empty groups of consecutive objects with
 * about equal total bytes: a group closes once it reaches its share of the bytes, or when every object
 * left is needed to give each remaining group one.
 */
export function partitionBySize<T extends { size: number }>(objects: readonly T[], maxParts: number): T[][] {
  const parts = Math.max(1, Math.min(maxParts, objects.length));
  const total = objects.reduce((n, o) => n + Math.max(0, o.size), 0);
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (let i = 0; i < objects.length; i++) {
    const object = objects[i] as T;
    current.push(object);
    bytes += Math.max(0, object.size);
    const groupsLeft = parts - out.length - 1;
    const objectsLeft = objects.length - i - 1;
    const share = (total * (out.length + 1)) / parts;
    if (groupsLeft > 0 && (bytes >= share || objectsLeft === groupsLeft)) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}
