// `npm run demo -- --instances 3` on a shared Redis: three gateways hold the upstream's limit
// together, and the run leaves nothing in Redis.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertDemoReport } from '@bulwark/demo-report';
import { describeRedis, redisUrl, useRedis } from '@bulwark/test-utils';
import { afterAll, expect, test } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'demo-redis-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRedis('three gateways sharing Redis', () => {
  const redis = useRedis();

  test('the upstream sees no 429 after the first burst, and the run leaves no key behind', { timeout: 60_000 }, async () => {
    const reportFile = join(dir, 'report.json');
    const { NODE_OPTIONS: _, ...env } = process.env;
    const child = spawn(process.execPath, [MAIN, '--duration', '8', '--instances', '3', '--report', reportFile], {
      env: { ...env, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect([0, 1], stderr).toContain(code);

    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    assertDemoReport(report);
    expect(report.meta.instances).toBe(3);
    const noLate429 = report.goals.find((g: { name: string }) => g.name === 'no upstream 429 after the first burst');
    expect(noLate429, JSON.stringify(report.goals)).toMatchObject({ met: true });
    expect(report.gateway.upstreamCalls).toBeLessThan(report.naive.upstreamCalls);

    const left: string[] = [];
    for await (const keys of redis.client.scanIterator({ MATCH: `bulwark-demo:${child.pid}-*`, COUNT: 500 })) left.push(...keys);
    expect(left).toEqual([]);
  });
});
