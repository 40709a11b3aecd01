/** A class name as written in code: a word, nothing that could be data. */
const CLASS_NAME = /^[A-Za-z_$][\w$]{0,63}$/;

/**
 * A short description of an error that is safe to put in a message or a log line: its name (its
 * class's, when the name is just `Error`, as many drivers leave it), its `code` and its HTTP status (`TypeError ECONNRESET`, `HttpError status 503`), never its message,
 * which may quote a URL with a token, a header or a body. Anything but an object is described by its
 * `typeof`. Every Bulwark error that speaks of another error describes it this way; the error itself
 * stays reachable as `cause`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * const error = Object.assign(new Error('GET https://api.example.com/?token=S failed'), { code: 'ECONNRESET' });
 * assert.equal(describeError(error), 'Error ECONNRESET');
 * ```
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const e = error as { name?: unknown; code?: unknown; status?: unknown; statusCode?: unknown };
  let name = typeof e.name === 'string' && e.name !== '' ? e.name : 'an object';
  // Many drivers' errors keep `Error` as their name (node-redis's ClientClosedError): the class says more.
  if (name === 'Error') {
    let constructorName: unknown;
    try {
      constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
    } catch {
      // A getter that throws leaves the name as it was.
    }
    if (typeof constructorName === 'string' && constructorName !== 'Object' && CLASS_NAME.test(constructorName)) name = constructorName;
  }
  const parts = [name];
  if (typeof e.code === 'string' || typeof e.code === 'number') parts.push(String(e.code));
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status === 'number') parts.push(`status ${status}`);
  return parts.join(' ');
}
