import { domainToASCII } from 'node:url';
import type { EmailVerdict } from '../email-verdict.js';
import { DISPOSABLE_DOMAINS, NO_MAIL_DOMAINS, PROVIDER_DOMAINS, RESERVED_TLDS } from './domain-lists.js';

const MAX_ADDRESS = 254; // RFC 5321's path limit less the angle brackets
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

// Dot-atom local parts only: quoted local parts ("john doe"@…) are legal but so rare in sign-up forms
// that validation services reject them too.
const localPartOk = (local: string): boolean =>
  local.length >= 1 && local.length <= MAX_LOCAL && local.split('.').every((atom) => ATOM.test(atom));

function asciiDomain(text: string): string | undefined {
  if (text === '' || /\s/.test(text)) return undefined;
  const ascii = domainToASCII(text).toLowerCase();
  if (ascii === '' || ascii.length > MAX_DOMAIN) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels.at(-1)!)) return undefined;
  return ascii;
}

/** The domain itself or any parent of it is in the set: `a.mailinator.com` counts as `mailinator.com`. */
function listed(set: ReadonlySet<string>, domain: string): boolean {
  for (let rest = domain; rest.includes('.'); rest = rest.slice(rest.indexOf('.') + 1)) {
    if (set.has(rest)) return true;
  }
  return false;
}

/** Judges one address from its syntax and the shipped domain lists; the same address always gets the same answer. */
export function validateEmail(email: string): EmailVerdict {
  const at = email.lastIndexOf('@');
  if (at === -1) return { valid: false, reason: 'syntax', disposable: false, domain: null };
  const rawDomain = email.slice(at + 1);
  const domain = asciiDomain(rawDomain);
  if (domain === undefined || email.length > MAX_ADDRESS || !localPartOk(email.slice(0, at))) {
    return { valid: false, reason: 'syntax', disposable: false, domain: domain ?? (rawDomain.toLowerCase() || null) };
  }
  if (RESERVED_TLDS.has(domain.slice(domain.lastIndexOf('.') + 1)) || listed(NO_MAIL_DOMAINS, domain)) {
    return { valid: false, reason: 'no_mail_server', disposable: false, domain };
  }
  if (listed(DISPOSABLE_DOMAINS, domain)) return { valid: false, reason: 'disposable', disposable: true, domain };
  if (PROVIDER_DOMAINS.has(domain)) return { valid: true, reason: 'known_provider', disposable: false, domain };
  return { valid: true, reason: 'accepted', disposable: false, domain };
}
