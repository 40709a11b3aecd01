import { describe, expect, test } from 'vitest';
import { hashApiKey, loadConfig, startGateway, TOKENS, type AppLogger, type LogFields } from './index.js';

const env = {
  UPSTREAM_API_KEY: 'upstream-test-key-0123456789', // bulwark-allow-secret: test fixture
  GATEWAY_API_KEYS: JSON.stringify([{ id: 'tester', scopes: ['validate'], sha256: hashApiKey('gateway-test-key-0123456789').toString('hex') }]),
};

/** A logger of one's own: the AppLogger port and nothing more. */
function listLogger(lines: { level: string; message: string; fields?: LogFields | Error }[]): AppLogger {
  const at = (level: string) => (message: string | (() => string), fields?: LogFields | Error) =>
    void lines.push({ level, message: typeof message === 'function' ? message() : message, ...(fields === undefined ? {} : { fields }) });
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), child: () => listLogger(lines) };
}

describe('startGateway', () => {
  test('starts and stops with a logger of its own registered in place of the default', async () => {
    const lines: { level: string; message: string; fields?: LogFields | Error }[] = [];
    const gateway = await startGateway(loadConfig({ PORT: '0' }), {
      env,
      logDestination: { write: () => {} },
      override: (c) => c.register(TOKENS.Logger, { useValue: listLogger(lines) }),
    });
    try {
      expect(lines).toContainEqual({ level: 'info', message: 'listening', fields: expect.objectContaining({ event: 'listening', url: gateway.url }) });
      expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    } finally {
      await gateway.close();
    }
    expect(lines.map((line) => line.message)).toContain('stopped');
  });
});
