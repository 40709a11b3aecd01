/**
 * The longest duration, in milliseconds, that a Bulwark option with a shared store takes: 100 years
 * (`3_155_760_000_000`). Packages refuse a longer window, TTL, hold or lease when the primitive is made.
 *
 * Why 100 years: a store writes each duration to Redis as an expiry in whole milliseconds (`SET … PX`,
 * `PEXPIRE`, `PEXPIREAT` at now + the duration) and computes with it in Lua numbers. Below this bound
 * every such time stays an exact integer Redis accepts; past some 3,000 years it no longer is, Redis
 * refuses the command ("value is not an integer or out of range"), and the primitive works in memory
 * while every store call fails. Timers are not the limit (core's clock waits out any delay in
 * stretches of the platform's 24.8 days), but a due time this far out stays exact there too.
 */
export const MAX_DURATION_MS = 3_155_760_000_000;
