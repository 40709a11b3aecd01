/**
 * A short, safe description of a failure for messages: its name, `code` and HTTP status, never its
 * message (which may quote a URL with a token, a header, a body).
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error;
  const e = error as { name?: unknown; code?: unknown; status?: unknown; statusCode?: unknown };
  const name = typeof e.name === 'string' && e.name !== '' ? e.name : 'an object';
  const parts = [name];
  if (typeof e.code === 'string' || typeof e.code === 'number') parts.push(String(e.code));
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status === 'number') parts.push(`status ${status}`);
  return parts.join(' ');
}
