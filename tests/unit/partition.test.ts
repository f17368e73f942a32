import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionBySize } from '../../src/core/partition.js';

describe('partitionBySize', () => {
  it('keeps order, never makes empty or too many parts, and balances bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        (sizes, maxParts) => {
          const objects = sizes.map((size, i) => ({ size, i }));
          const parts = partitionBySize(objects, maxParts);
          expect(parts.length).toBe(Math.min(maxParts, objects.length));
          expect(parts.every((p) => p.length > 0)).toBe(true);
          expect(parts.flat().map((o) => o.i)).toEqual(objects.map((o) => o.i));
          // No part exceeds its fair share by more than its largest object.
          const total = sizes.reduce((a, b) => a + b, 0);
          for (const p of parts) {
            const bytes = p.reduce((n, o) => n + o.size, 0);
            expect(bytes).toBeLessThanOrEqual(
              total / parts.length + Math.max(...p.map((o) => o.size)) * 2 + 1,
            );
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
    expect(
      partitionBySize([{ size: 10 }, { size: 10 }, { size: 10 }, { size: 10 }], 2).map((p) => p.length),
    ).toEqual([2, 2]);
    expect(
      partitionBySize([{ size: 100 }, { size: 1 }, { size: 1 }, { size: 1 }], 2).map((p) => p.length),
    ).toEqual([1, 3]);
  });
});
