// The Prometheus rules shipped with the app: valid, and doing what they say on synthetic series.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { promtool, promtoolMissing } from './support/promtool.js';

const rules = (name: string) => fileURLToPath(new URL(`../rules/${name}`, import.meta.url));
const suffix = promtoolMissing === undefined ? '' : ` (skipped: ${promtoolMissing})`;

describe.skipIf(promtoolMissing !== undefined)(`Prometheus rules${suffix}`, () => {
  test('promtool check rules: every rule and alert is valid', () => {
    const check = promtool(['check', 'rules', rules('validation-gateway.rules.yml')]);
    expect(check.output).toContain('SUCCESS: 10 rules found');
    expect(check.status).toBe(0);
  });

  test('promtool test rules: burn rates at 14.4x and 6x, the upstream anomaly, the breaker open too long, the Redis fallback', () => {
    const run = promtool(['test', 'rules', rules('validation-gateway.rules.test.yml')]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
