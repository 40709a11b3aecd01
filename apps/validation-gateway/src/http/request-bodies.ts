import type { InvalidationTarget } from '../ports/validation-cache.js';
import { ProblemError } from './problem.js';

/** Longest address accepted in a request (a valid one has at most 254 characters). */
const MAX_EMAIL_LENGTH = 1024;

interface FieldProblem {
  readonly pointer: string;
  readonly expected: string;
}

function invalid(errors: FieldProblem[]): ProblemError {
  return new ProblemError('invalid-request', 'The body does not have the expected shape; see `errors`.', { extra: { errors } });
}

function asObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid([{ pointer: '', expected: 'a JSON object' }]);
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  // Unknown names are not echoed: a misplaced credential could be one.
  if (unknown.length > 0) {
    throw invalid([{ pointer: '', expected: `only the field${allowed.length > 1 ? 's' : ''} ${allowed.map((a) => `\`${a}\``).join(', ')} (${unknown.length} unknown field${unknown.length > 1 ? 's' : ''})` }]);
  }
  return body as Record<string, unknown>;
}

function emailAt(value: unknown, pointer: string, problems: FieldProblem[]): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_EMAIL_LENGTH) {
    problems.push({ pointer, expected: `a string of 1 to ${MAX_EMAIL_LENGTH} characters` });
    return '';
  }
  return value;
}

/** `{ "email": string }` */
export function readSingle(body: unknown): string {
  const object = asObject(body, ['email']);
  const problems: FieldProblem[] = [];
  if (!('email' in object)) problems.push({ pointer: '/email', expected: 'a string (required)' });
  const email = 'email' in object ? emailAt(object.email, '/email', problems) : '';
  if (problems.length > 0) throw invalid(problems);
  return email;
}

/** `{ "emails": string[] }`, 1 to `maxBatch` of them. */
export function readBatch(body: unknown, maxBatch: number): string[] {
  const object = asObject(body, ['emails']);
  const list = object.emails;
  if (!Array.isArray(list) || list.length === 0) throw invalid([{ pointer: '/emails', expected: `an array of 1 to ${maxBatch} strings (required)` }]);
  if (list.length > maxBatch) {
    throw new ProblemError('batch-too-large', `A batch holds at most ${maxBatch} addresses; this one holds ${list.length}.`, { extra: { maxBatch } });
  }
  const problems: FieldProblem[] = [];
  const emails = list.map((value, i) => emailAt(value, `/emails/${i}`, problems));
  if (problems.length > 0) throw invalid(problems.slice(0, 20));
  return emails;
}

/** `{ "key": email }`, `{ "tag": "domain:<name>" }` or `{ "all": true }`: exactly one. */
export function readInvalidation(body: unknown): InvalidationTarget {
  const object = asObject(body, ['key', 'tag', 'all']);
  const given = ['key', 'tag', 'all'].filter((k) => k in object);
  if (given.length !== 1) throw invalid([{ pointer: '', expected: 'exactly one of `key` (an address), `tag` (such as "domain:example.org") or `all` (true)' }]);
  if ('key' in object) {
    const problems: FieldProblem[] = [];
    const email = emailAt(object.key, '/key', problems);
    if (problems.length > 0) throw invalid(problems);
    return { kind: 'key', email };
  }
  if ('tag' in object) {
    if (typeof object.tag !== 'string' || !/^domain:[^\s]{1,253}$/.test(object.tag)) throw invalid([{ pointer: '/tag', expected: 'a string "domain:<name>"' }]);
    return { kind: 'tag', tag: object.tag.toLowerCase() };
  }
  if (object.all !== true) throw invalid([{ pointer: '/all', expected: 'true' }]);
  return { kind: 'all' };
}
