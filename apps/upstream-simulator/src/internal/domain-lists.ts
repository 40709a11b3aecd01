// The domain lists the simulated validation service ships. Short on purpose: enough names for a
// demo's request mix to meet every answer, not a production blocklist.

/** Throwaway-inbox services: addresses there are reachable but worthless for sign-ups. */
export const DISPOSABLE_DOMAINS: ReadonlySet<string> = new Set([
  '10minutemail.com',
  'burnermail.io',
  'discard.email',
  'dispostable.com',
  'emailondeck.com',
  'fakeinbox.com',
  'getnada.com',
  'guerrillamail.com',
  'guerrillamail.net',
  'mailinator.com',
  'maildrop.cc',
  'mintemail.com',
  'mohmal.com',
  'mytemp.email',
  'sharklasers.com',
  'spamgourmet.com',
  'temp-mail.org',
  'tempmail.dev',
  'throwawaymail.com',
  'trashmail.com',
  'yopmail.com',
]);

/**
 * Domains answered as having no mail server: the `example.*` names (which publish a null MX, RFC 7505)
 * and a few stand-ins the simulated service pretends to have looked up. Names under the reserved
 * top-level domains of RFC 2606 and RFC 6761 are answered the same way.
 */
export const NO_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'example.com',
  'example.net',
  'example.org',
  'nomail.invalid',
  'no-mx.dev',
  'parked-domain.net',
  'unreachable.email',
]);

/** Top-level domains reserved for tests and documentation: nothing under them receives mail. */
export const RESERVED_TLDS: ReadonlySet<string> = new Set(['example', 'invalid', 'localhost', 'test', 'local']);

/** Large mailbox providers, answered with `reason: 'known_provider'`. */
export const PROVIDER_DOMAINS: ReadonlySet<string> = new Set([
  '163.com',
  'aol.com',
  'fastmail.com',
  'gmail.com',
  'gmx.de',
  'gmx.net',
  'googlemail.com',
  'hey.com',
  'hotmail.com',
  'icloud.com',
  'live.com',
  'mail.ru',
  'me.com',
  'outlook.com',
  'proton.me',
  'protonmail.com',
  'qq.com',
  'web.de',
  'yahoo.com',
  'yandex.ru',
  'zoho.com',
]);
