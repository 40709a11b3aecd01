/** Why an address was judged as it was. */
export type EmailReason = 'syntax' | 'no_mail_server' | 'disposable' | 'known_provider' | 'accepted';

/** The body of a 200 answer from `POST /v1/validate/email`. */
export interface EmailVerdict {
  /** Worth accepting: well formed, on a domain that receives mail, not a throwaway inbox. */
  readonly valid: boolean;
  readonly reason: EmailReason;
  /** The domain belongs to a throwaway-inbox service. */
  readonly disposable: boolean;
  /** The domain part, lower-cased (in ASCII form for internationalised names); `null` without an `@`. */
  readonly domain: string | null;
}
