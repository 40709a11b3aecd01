// Ends every `vitest run` of the workspace with one plain line, `Tests: N passed, N failed,
// N skipped`, and says loudly when Redis tests were skipped (under CI the global setup fails the
// run before that can happen).
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

const REDIS_TAG = '[redis]';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let redisSkipped = 0;
    for (const module of testModules) {
      let tests = 0;
      for (const test of module.children.allTests()) {
        tests++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          if (test.fullName.includes(REDIS_TAG)) redisSkipped++;
        }
      }
      // A file that failed to load has no tests but is a failure all the same.
      if (tests === 0 && module.state() === 'failed') failed++;
      else if (module.errors().length > 0) failed += module.errors().length;
    }
    failed += unhandledErrors.length;
    // A `[redis]` test skipped for another reason (no nginx, say) says so itself; this banner is for a
    // run the global setup found without Redis.
    const reason = process.env.BULWARK_REDIS_UNAVAILABLE;
    if (redisSkipped > 0 && reason !== undefined) {
      const bar = '!'.repeat(78);
      console.error(`\n${bar}\n  ${redisSkipped} Redis test(s) SKIPPED: ${reason}.\n  Install redis-server or set REDIS_URL to run them; under CI this is a failure.\n${bar}\n`);
    }
    console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
