import type { EmailVerdict, VerdictReason } from './email-verdict.js';

/** What an earlier upstream answer said about a domain. */
export interface DomainFact {
  readonly reason: Exclude<VerdictReason, 'syntax' | 'unverified'>;
  /** When it was learnt, epoch ms. */
  readonly learnedAt: number;
}

/** Port: the domain lists learnt from the upstream's answers, for offline validation. */
export interface DomainKnowledge {
  /** Remembers what `verdict` says about its domain (never waits; failures are the adapter's to report). */
  learn(verdict: EmailVerdict): void;
  recall(domain: string): Promise<DomainFact | undefined>;
}
