import { defineConfig } from 'vitest/config';

// The end-to-end tests start the built service as a process (npm test builds first): one file at a
// time, so two suites never compete for the machine.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
