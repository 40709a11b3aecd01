/** What an error is, for a log line: its class, `code` and `status` — never its message, which may quote input or a URL. */
export interface ErrorShape {
  readonly name: string;
  readonly code?: string;
  readonly status?: number;
}

/** The {@link ErrorShape} of anything thrown. */
export function errorShape(error: unknown): ErrorShape {
  const e = error as { name?: unknown; code?: unknown; status?: unknown } | null;
  return {
    name: typeof e?.name === 'string' ? e.name : typeof error,
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.status === 'number' ? { status: e.status } : {}),
  };
}
