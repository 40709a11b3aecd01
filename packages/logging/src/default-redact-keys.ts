/**
 * The field names every logger redacts unless told otherwise (`redactDefaults: false`). Names match
 * at any depth, case-insensitively and ignoring `-` and `_` (`apiKey`, `api_key` and `API-KEY` are
 * one name). Add your own names or dotted paths with the `redact` option.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'passphrase',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'auth_token',
  'x-auth-token',
  'apiKey',
  'x-api-key',
  'secret',
  'client_secret',
  'secret_key',
  'private_key',
  'credentials',
]);
