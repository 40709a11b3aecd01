import { invalidOption } from '@bulwark/core';
import { redactUrl } from '../redact-url.js';

const HAS_SCHEME = /^[a-z][a-z\d+.-]*:/i;

/** Checks and normalises the client's `baseUrl` so that a path can be joined under it. */
export function checkBaseUrl(value: unknown): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError();
    url = new URL(String(value));
  } catch {
    throw invalidOption('baseUrl', typeof value === 'string' ? redactUrl(value) : value, 'an absolute URL');
  }
  // `localhost:3000` parses, with `localhost:` as its scheme: say so now, not at every request.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidOption('baseUrl', redactUrl(url), 'an http: or https: URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidOption('baseUrl', redactUrl(url), 'a URL without user name or password (pass credentials through `auth`)');
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalidOption('baseUrl', redactUrl(url), 'a URL without query or fragment (pass `query` with each request)');
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/**
 * The URL of one request: an absolute `input` as it is; a relative one under `base`'s path, whether
 * or not it starts with a slash (`/users` under `https://api.example.com/v1` is `/v1/users`).
 */
export function requestUrl(input: string | URL, base: URL | undefined): URL {
  let url: URL;
  if (input instanceof URL) url = new URL(input.href);
  else if (typeof input !== 'string') throw invalidOption('input', input, 'a string or a URL');
  else if (HAS_SCHEME.test(input)) {
    try {
      url = new URL(input);
    } catch {
      throw invalidOption('input', redactUrl(input), 'a valid URL');
    }
  } else {
    if (base === undefined) throw invalidOption('input', redactUrl(input), 'an absolute URL (or a path, with `baseUrl` set)');
    url = new URL(input.replace(/^\/+/, ''), base);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidOption('input', redactUrl(url), 'an http: or https: URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidOption('input', redactUrl(url), 'a URL without user name or password (pass credentials through `auth`)');
  }
  return url;
}
