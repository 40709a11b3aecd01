/**
 * An RFC 9457 problem details object, the body of an `application/problem+json` response. Every
 * member is optional and the server may add its own (extension members).
 */
export interface ProblemDetails {
  /** A URI reference that identifies the problem type. @default 'about:blank' */
  readonly type?: string;
  /** A short, human-readable summary of the problem type. */
  readonly title?: string;
  /** The HTTP status the server gave, repeated in the body. */
  readonly status?: number;
  /** An explanation specific to this occurrence. */
  readonly detail?: string;
  /** A URI reference that identifies this occurrence. */
  readonly instance?: string;
  /** Extension members. */
  readonly [member: string]: unknown;
}
