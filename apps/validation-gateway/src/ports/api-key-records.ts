/** What a caller's key allows. */
export type Scope = 'validate' | 'admin';

/** A caller's key as stored: never the key, only its SHA-256 digest. */
export interface ApiKeyRecord {
  /** Names the caller in logs and metrics. */
  readonly id: string;
  readonly scopes: readonly Scope[];
  /** SHA-256 of the key, 32 bytes. */
  readonly sha256: Uint8Array;
}

/** Port: the callers' keys as they are now (a rotation is seen without a restart). */
export interface ApiKeyRecords {
  current(): Promise<readonly ApiKeyRecord[]>;
}
