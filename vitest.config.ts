import { defineConfig } from 'vitest/config';
import SummaryReporter from './tools/test-utils/src/summary-reporter.js';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tools/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
    // The default report, then one plain line: `Tests: N passed, N failed, N skipped`.
    reporters: ['default', new SummaryReporter()],
  },
});
