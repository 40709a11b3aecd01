import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHttpClient } from '@bulwark/http';
import { standard } from '@bulwark/http/standard';
import ky from 'ky';

// One loopback HTTP server, in a process of its own so that it does not share the event loop with
// the clients measured, answering every GET with a small JSON body over keep-alive connections.
const SERVER = `
const { createServer } = require('node:http');
const body = JSON.stringify({ id: 42, name: 'Ada Lovelace', email: 'ada@example.com', valid: true });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

const BATCH = 20;
const sequential =
  (once: () => Promise<unknown>) =>
  async (): Promise<void> => {
    for (let i = 0; i < BATCH; i++) await once();
  };

export default async function suites() {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [port] = (await once(server, 'message')) as [number];
  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/users/42`;

  const ours = createHttpClient({ baseUrl: base });
  const oursStandard = createHttpClient({ baseUrl: base, policy: standard() });
  const api = ky.create({ baseUrl: `${base}/`, retry: 0, timeout: false });
  const apiWithRetry = ky.create({ baseUrl: `${base}/`, retry: 3, timeout: 10_000 });

  // The clients' own work alone: the same calls against a fetch that answers at once from memory.
  const body = JSON.stringify({ id: 42, name: 'Ada Lovelace', email: 'ada@example.com', valid: true });
  const inMemory = async (): Promise<Response> => new Response(body, { headers: { 'content-type': 'application/json' } });
  const oursInMemory = createHttpClient({ baseUrl: base, fetch: inMemory });
  const kyInMemory = ky.create({ baseUrl: `${base}/`, retry: 0, timeout: false, fetch: inMemory });
  const IN_MEMORY_BATCH = 100;
  const loop =
    (once: () => Promise<unknown>) =>
    async (): Promise<void> => {
      for (let i = 0; i < IN_MEMORY_BATCH; i++) await once();
    };

  return [
    {
      suite: 'http: client overhead alone (a fetch that answers from memory)',
      cases: [
        { name: 'fetch(url).then((r) => r.json())', peer: 'fetch', batch: IN_MEMORY_BATCH, fn: loop(() => inMemory().then((r) => r.json())) },
        { name: '@bulwark/http client.get(path)', peer: null, batch: IN_MEMORY_BATCH, fn: loop(() => oursInMemory.get('users/42')) },
        { name: 'ky api.get(path).json()', peer: 'ky', batch: IN_MEMORY_BATCH, fn: loop(() => kyInMemory.get('users/42').json()) },
      ],
    },
    {
      suite: 'http: GET and parse a JSON body on loopback',
      cases: [
        { name: 'fetch(url).then((r) => r.json())', peer: 'fetch', batch: BATCH, fn: sequential(() => fetch(url).then((r) => r.json())) },
        { name: '@bulwark/http client.get(path)', peer: null, batch: BATCH, fn: sequential(() => ours.get('users/42')) },
        { name: 'ky api.get(path).json() (retry: 0, timeout: false)', peer: 'ky', batch: BATCH, fn: sequential(() => api.get('users/42').json()) },
      ],
    },
    {
      suite: 'http: the same, with retries and timeouts ready',
      cases: [
        {
          name: 'fetch(url, { signal: AbortSignal.timeout(10_000) })',
          peer: 'fetch',
          batch: BATCH,
          fn: sequential(() => fetch(url, { signal: AbortSignal.timeout(10_000) }).then((r) => r.json())),
        },
        { name: '@bulwark/http client.get(path) through standard()', peer: null, batch: BATCH, fn: sequential(() => oursStandard.get('users/42')) },
        { name: 'ky api.get(path).json() (retry: 3, timeout: 10_000)', peer: 'ky', batch: BATCH, fn: sequential(() => apiWithRetry.get('users/42').json()) },
      ],
      teardown: () => {
        server.kill();
      },
    },
  ];
}
