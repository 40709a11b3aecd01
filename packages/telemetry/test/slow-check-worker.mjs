// A plain script that awaits a readiness report at top level, with a check slower than its
// timeout whose own timer does not hold the process open: the check's timeout must, so the
// script prints the timed-out report instead of exiting with 13 (unsettled top-level await).
import { health } from '@bulwark/telemetry';

const probes = health({
  checks: [{ name: 'db', timeoutMs: 200, check: () => new Promise((resolve) => setTimeout(resolve, 60_000).unref()) }],
});
const report = await probes.ready();
console.log(JSON.stringify({ status: report.status, output: report.checks.db[0].output }));
