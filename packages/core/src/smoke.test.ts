import { expect, test } from 'vitest';
import { timeout } from './index.js';

test('smoke', async () => {
  expect(await timeout(100).execute(() => 1)).toBe(1);
});
