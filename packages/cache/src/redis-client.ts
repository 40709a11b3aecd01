/**
 * The part of a node-redis 6 client (`createClient()` from the `redis` package) the cache uses.
 * Pass your own connected client; the cache never opens a connection from a URL.
 */
export interface CacheRedisClient {
  /** True while the client is connected and ready for commands. */
  readonly isReady: boolean;
  /** True from `connect()` until `close()`/`destroy()`. */
  readonly isOpen: boolean;
  set(key: string, value: string, options?: { NX?: boolean; PX?: number }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  duplicate(): CacheRedisClient;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(channel?: string, listener?: (message: string, channel: string) => void): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}
