// Property: whatever the sequence of writes and reads, memory holds at most maxEntries entries, and
// they are exactly the most recently used keys.
import { createFakeClock } from '@bulwark/core';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { cache } from './index.js';

test('memory behaves as an LRU bounded by maxEntries', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.record({ write: fc.boolean(), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g') }), { maxLength: 60 }),
      async (maxEntries, ops) => {
        const c = cache({ clock: createFakeClock(), maxEntries, ttlJitter: 0, earlyRefreshBeta: 0 });
        const model: string[] = []; // most recent last
        const touch = (key: string) => {
          const i = model.indexOf(key);
          if (i !== -1) model.splice(i, 1);
          model.push(key);
          if (model.length > maxEntries) model.shift();
        };
        for (const op of ops) {
          if (op.write) {
            await c.set(op.key, op.key);
            touch(op.key);
          } else if ((await c.get(op.key)) !== undefined) {
            touch(op.key);
          }
        }
        expect(c.stats().entries).toBe(model.length);
        for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(c.peek(key) !== undefined).toBe(model.includes(key));
      },
    ),
    { numRuns: 200 },
  );
});
