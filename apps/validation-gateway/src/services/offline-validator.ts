import type { Clock } from '@bulwark/core';
import { inject, injectable } from '../di.js';
import type { DomainKnowledge } from '../ports/domain-knowledge.js';
import type { EmailVerdict } from '../ports/email-verdict.js';
import { TOKENS } from '../tokens.js';
import { domainOf, parseEmailAddress } from './email-address.js';

// Names reserved by RFC 2606 and RFC 6761: nothing under them receives mail.
const RESERVED_TLDS: ReadonlySet<string> = new Set(['example', 'invalid', 'localhost', 'test', 'local']);
const RESERVED_DOMAINS: ReadonlySet<string> = new Set(['example.com', 'example.net', 'example.org']);

function isReserved(domain: string): boolean {
  if (RESERVED_TLDS.has(domain.slice(domain.lastIndexOf('.') + 1))) return true;
  const labels = domain.split('.');
  return RESERVED_DOMAINS.has(labels.slice(-2).join('.'));
}

/** An offline verdict, with how old the knowledge behind it is. */
export interface OfflineVerdict {
  readonly verdict: EmailVerdict;
  readonly ageMs: number;
}

/**
 * Validates an address without the upstream: its syntax, reserved top-level domains, and what
 * earlier upstream answers taught about its domain. A well-formed address on a domain nothing is
 * known about is accepted as `unverified`.
 */
@injectable()
export class OfflineValidator {
  readonly #domains: DomainKnowledge;
  readonly #clock: Clock;

  constructor(@inject(TOKENS.Domains) domains: DomainKnowledge, @inject(TOKENS.Clock) clock: Clock) {
    this.#domains = domains;
    this.#clock = clock;
  }

  async validate(email: string): Promise<OfflineVerdict> {
    const address = parseEmailAddress(email);
    if (address === undefined) return { verdict: { valid: false, reason: 'syntax', disposable: false, domain: domainOf(email) }, ageMs: 0 };
    const { domain } = address;
    if (isReserved(domain)) {
      return { verdict: { valid: false, reason: 'no_mail_server', disposable: false, domain }, ageMs: 0 };
    }
    const fact = await this.#domains.recall(domain).catch(() => undefined);
    if (fact === undefined) return { verdict: { valid: true, reason: 'unverified', disposable: false, domain }, ageMs: 0 };
    const valid = fact.reason === 'accepted' || fact.reason === 'known_provider';
    return {
      verdict: { valid, reason: fact.reason, disposable: fact.reason === 'disposable', domain },
      ageMs: Math.max(0, this.#clock.now() - fact.learnedAt),
    };
  }
}
