import { describeNginx, useNginx } from '@bulwark/test-utils';
import { expect, test } from 'vitest';
import { createHttpClient } from '@bulwark/http';
import { standard } from '@bulwark/http/standard';

// A real rate-limiting server: nginx's limit_req refuses what exceeds 20 requests a second (3 at once)
// with a 429 carrying `Retry-After: 1` and a problem+json body.
describeNginx('through the standard pipeline against nginx limit_req', () => {
  const nginx = useNginx({
    files: { 'ok.json': '{"ok":true}\n' },
    http: ({ port, root }) => `
  limit_req_zone $server_name zone=api:64k rate=20r/s;
  server {
    listen 127.0.0.1:${port};
    server_name bulwark-http;
    root ${root};
    location /api/ {
      limit_req zone=api burst=3 nodelay;
      limit_req_status 429;
      error_page 429 = @limited;
      default_type application/json;
      try_files /ok.json =404;
    }
    location @limited {
      add_header Retry-After 1 always;
      default_type application/problem+json;
      return 429 '{"title":"Too many requests"}';
    }
  }`,
  });

  test('every request eventually succeeds, and no retry goes out before its Retry-After', async () => {
    interface Exchange {
      readonly sentAt: number;
      receivedAt: number;
      status: number;
      retryAfter: string | null;
    }
    const byRequest = new Map<string, Exchange[]>();
    const client = createHttpClient({
      baseUrl: `${nginx.url}/api`,
      policy: standard(),
      fetch: async (input, init) => {
        const id = new Headers(init.headers).get('x-request-id')!;
        const exchange: Exchange = { sentAt: performance.now(), receivedAt: Number.NaN, status: 0, retryAfter: null };
        byRequest.set(id, [...(byRequest.get(id) ?? []), exchange]);
        const response = await fetch(input, init);
        exchange.receivedAt = performance.now();
        exchange.status = response.status;
        exchange.retryAfter = response.headers.get('retry-after');
        return response;
      },
    });

    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.get(`quote/${i}`, { headers: { 'x-request-id': String(i) } })),
    );
    expect(results).toEqual(Array(12).fill({ ok: true }));

    const exchanges = [...byRequest.values()];
    const refused = exchanges.flat().filter((e) => e.status === 429);
    expect(refused.length).toBeGreaterThan(0); // nginx did refuse some: the test proves something
    expect(refused.every((e) => e.retryAfter === '1')).toBe(true);
    for (const attempts of exchanges) {
      expect(attempts.at(-1)!.status).toBe(200);
      for (let i = 1; i < attempts.length; i++) {
        const before = attempts[i - 1]!;
        expect(before.status).toBe(429);
        // Sent again no earlier than one second after the 429 arrived.
        expect(attempts[i]!.sentAt - before.receivedAt).toBeGreaterThanOrEqual(1_000);
      }
    }
  });
});
