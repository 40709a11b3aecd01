import { afterAll, describe, expect, test } from 'vitest';
import { ensureRedis, freePort, hasRedisServerBinary, pingRedis, startRedisServer, type PrivateRedisServer } from './index.js';

const servers: PrivateRedisServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

// Needs the redis-server binary; without it the suite is skipped (and counted as a skipped Redis
// suite) except under CI, where it runs and fails.
describe.skipIf(!hasRedisServerBinary() && !process.env.CI)('[redis] private servers', () => {
  test('a private server can be killed and started again on the same port', async () => {
    const server = await startRedisServer();
    servers.push(server);
    expect(await pingRedis(server.url)).toBe(true);
    const firstPid = server.pid;
    await server.kill();
    expect(server.running).toBe(false);
    expect(await pingRedis(server.url, 200)).toBe(false);
    await server.start();
    expect(await pingRedis(server.url)).toBe(true);
    expect(server.pid).not.toBe(firstPid);
  });

  test('ensureRedis starts a server of its own when nothing answers at the default URL', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const found = await ensureRedis({}, nobody);
    expect(found.started).toBeDefined();
    servers.push(found.started!);
    expect(found.url).not.toBe(nobody);
    expect(await pingRedis(found.url!)).toBe(true);
  });

  test('ensureRedis reports, rather than replaces, a REDIS_URL that does not answer', async () => {
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`; // bulwark-allow-secret: a fixture
    const found = await ensureRedis({ REDIS_URL: url });
    expect(found.url).toBeUndefined();
    expect(found.unavailableReason).toContain('does not answer PING');
    expect(found.unavailableReason).not.toContain('hunter2');
  });
});
