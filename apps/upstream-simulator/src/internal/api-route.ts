import type { IncomingMessage, ServerResponse } from 'node:http';
import { planRequest, type PlannedRequest } from '../plan-faults.js';
import type { Outcome } from '../simulator-stats.js';
import type { WindowState } from './fixed-window.js';
import { presentedKey, readJson, sendJson, sendProblem, type Headers, type Problem } from './http.js';
import type { Run } from './run.js';
import { validateEmail } from './validate-email.js';

const VALIDATE_PATH = '/v1/validate/email';
const BODY_LIMIT = 16 * 1024;
const POLICY = 'default';
const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

// IETF draft-ietf-httpapi-ratelimit-headers (-11): `RateLimit: "default";r=<left>;t=<seconds to reset>`.
const rateLimitField = (state: WindowState): string => `"${POLICY}";r=${state.remaining};t=${seconds(state.resetMs)}`;

/**
 * Answers one API request. In order: the outage (503), the route (404, 405), the key (401), the rate
 * limit (429), the body (415, 413, 400); then the request takes the next number and meets the fault
 * the plan holds for it. Each request is counted once, under the outcome decided for it.
 */
export function handleApi(run: Run, req: IncomingMessage, res: ServerResponse, path: string): void {
  const at = run.elapsed();
  const presented = presentedKey(req.headers);
  const key = presented === undefined ? undefined : run.keys.identify(presented, at);
  const keyId = presented === undefined ? 'none' : (key?.id ?? 'unknown');
  const count = (outcome: Outcome, status?: number): void => run.counters.record(at, keyId, outcome, status);
  const { limiter } = run;
  const headers: Headers = {};
  if (limiter !== undefined) {
    headers['RateLimit-Policy'] = `"${POLICY}";q=${limiter.quota};w=${limiter.windowMs / 1000}`;
    if (key?.accepted === true) headers.RateLimit = rateLimitField(limiter.peek(keyId, at));
  }
  const refuse = (status: number, outcome: Outcome, problem: Problem, extra: Headers = {}): void => {
    count(outcome, status);
    sendProblem(res, status, problem, { ...headers, ...extra });
  };

  const outage = run.outageAt(at);
  if (outage !== undefined) {
    const retryAfter = String(seconds(outage.atMs + outage.forMs - at));
    return refuse(503, '5xx', { detail: 'The service is down for an outage; try again after Retry-After.' }, { 'Retry-After': retryAfter });
  }
  if (path !== VALIDATE_PATH) return refuse(404, '4xx', { detail: `No route ${path}; the API is POST ${VALIDATE_PATH}.` });
  if (req.method !== 'POST') return refuse(405, '4xx', { detail: `${VALIDATE_PATH} takes POST.` }, { Allow: 'POST' });
  if (key?.accepted !== true) {
    const detail = presented === undefined ? 'No API key: send Authorization: Bearer <key> or X-Api-Key.' : 'The API key is not valid: unknown, or rotated out.';
    return refuse(401, '401', { detail }, { 'WWW-Authenticate': 'Bearer realm="upstream-simulator"' });
  }
  if (limiter !== undefined) {
    const state = limiter.take(keyId, at);
    headers.RateLimit = rateLimitField(state);
    if (!state.allowed) {
      // The IETF problem type for a quota exceeded; Retry-After no earlier than the window's end.
      const problem = {
        type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
        title: 'Request cannot be satisfied as assigned quota has been exceeded',
        detail: `More than ${limiter.quota} requests in ${limiter.windowMs / 1000} s for this key.`,
        'violated-policies': [POLICY],
      };
      return refuse(429, '429', problem, { 'Retry-After': String(seconds(state.resetMs)) });
    }
  }

  void readJson(req, BODY_LIMIT).then((body) => {
    if (!body.ok) return refuse(body.status, '4xx', { detail: body.detail }, body.status === 413 ? { Connection: 'close' } : {});
    const email = (body.value as { email?: unknown } | null)?.email;
    if (typeof email !== 'string') return refuse(400, '4xx', { detail: 'Expected a JSON object with a string `email`.' });
    const plan = planRequest(run.profile, run.seed, run.nextIndex());
    count(plan.kind === 'error' ? '5xx' : plan.kind, plan.kind === 'ok' || plan.kind === 'error' ? plan.status : undefined);
    carryOut(run, res, plan, () => sendJson(res, 200, validateEmail(email), headers), headers);
  });
}

function carryOut(run: Run, res: ServerResponse, plan: PlannedRequest, answer: () => void, headers: Headers): void {
  if (plan.delayMs === null) return; // a hang with no end: held until the client goes away or the simulator closes
  const act =
    plan.kind === 'error'
      ? () => sendProblem(res, plan.status, { detail: 'A fault injected by the simulator profile.' }, headers)
      : plan.kind === 'drop'
        ? () => dropMidway(res, headers)
        : answer;
  const timer = run.later(plan.delayMs, act);
  res.once('close', () => timer.clear());
}

/** Sends the status line, the headers and half a body, then destroys the connection. */
function dropMidway(res: ServerResponse, headers: Headers): void {
  const body = Buffer.from(JSON.stringify({ valid: true, reason: 'accepted', disposable: false, domain: 'cut.off.midway' }));
  res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.write(body.subarray(0, body.length >> 1), () => res.destroy());
}
