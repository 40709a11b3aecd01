import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorKeys } from '../start-simulator.js';
import { sendJson, sendProblem } from './http.js';
import type { Run } from './run.js';

export const ADMIN_PREFIX = '/_sim/';

/** The keys as `GET /_sim/keys` and `Simulator.keys()` give them. */
export function keysOf(run: Run): SimulatorKeys {
  const { current, previous } = run.keys;
  return {
    current: { id: current.id, key: current.value, issuedAtMs: current.issuedAtMs },
    previous:
      previous === undefined
        ? null
        : { id: previous.id, key: previous.value, issuedAtMs: previous.issuedAtMs, acceptedUntilMs: previous.acceptedUntilMs ?? 0 },
  };
}

/**
 * The unauthenticated control endpoints (the server listens on loopback only):
 * `GET /_sim/stats`, `POST /_sim/reset`, `GET /_sim/keys`. None of them is counted.
 */
export function handleAdmin(run: Run, req: IncomingMessage, res: ServerResponse, path: string): void {
  const routes: Record<string, { method: string; answer: () => void }> = {
    '/_sim/stats': { method: 'GET', answer: () => sendJson(res, 200, run.stats(), { 'Cache-Control': 'no-store' }) },
    '/_sim/keys': { method: 'GET', answer: () => sendJson(res, 200, keysOf(run), { 'Cache-Control': 'no-store' }) },
    '/_sim/reset': {
      method: 'POST',
      answer: () => {
        run.reset();
        res.writeHead(204).end();
      },
    },
  };
  const route = routes[path];
  if (route === undefined) return sendProblem(res, 404, { detail: `No route ${path}; try ${Object.keys(routes).join(', ')}.` });
  if (req.method !== route.method) return sendProblem(res, 405, { detail: `${path} takes ${route.method}.` }, { Allow: route.method });
  req.resume();
  route.answer();
}
