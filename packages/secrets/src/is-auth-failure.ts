/**
 * The default test for "the credential was refused": an error (or response) whose `status`,
 * `statusCode` or `response.status` is 401 or 403, the shapes thrown by fetch wrappers, axios, got
 * and most SDKs.
 *
 * @example
 * ```ts
 * class MyAuthError extends Error {}
 * declare function call(key: Secret<string>): Promise<void>;
 * const vault = secretManager({ providers: envProvider() });
 * await vault.withSecret('API_KEY', call, { isAuthFailure: (e) => isAuthFailure(e) || e instanceof MyAuthError });
 * ```
 */
export function isAuthFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } | null };
  const status = e.status ?? e.statusCode ?? e.response?.status;
  return status === 401 || status === 403;
}
