import { expectNumber, invalidOption } from './validate.js';

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

// RFC 9110 §5.6.7: recipients must accept all three; day names are checked loosely (any of the
// seven, long or short), since they carry no information the date does not.
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function build(year: number, month: string, day: number, h: number, m: number, s: number): number | undefined {
  const monthIndex = MONTHS[month];
  if (monthIndex === undefined || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, monthIndex, day, h, m, Math.min(s, 59));
  // Date.UTC rolls 31 Feb over into March; such a date is malformed, not a date in March.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

/**
 * Parses an HTTP-date in any of the three formats RFC 9110 (§5.6.7) requires a recipient to accept,
 * and returns it as milliseconds since the Unix epoch, or `undefined` when `value` is not one:
 *
 * - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
 * - obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT` (two-digit years more than 50 years in the
 *   future are read as the past century, as RFC 9110 says; `now` sets "the future")
 * - asctime: `Sun Nov  6 08:49:37 1994`
 *
 * Nothing else is accepted: no ISO 8601, no time zones other than GMT, no lenient `Date.parse`.
 *
 * @example
 * ```ts
 * parseHttpDate('Wed, 21 Oct 2015 07:28:00 GMT'); // 1445412480000
 * ```
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  if (typeof value !== 'string') throw invalidOption('value', value, 'an HTTP-date (a string)');
  expectHttpDateNow(now);
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m !== null) return build(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(text);
  if (m !== null) {
    const currentYear = new Date(now).getUTCFullYear();
    let year = Math.floor(currentYear / 100) * 100 + Number(m[3]);
    if (year > currentYear + 50) year -= 100;
    return build(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(text);
  if (m !== null) return build(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/** Asserts `now`, the time a date is measured against, is a finite number of milliseconds since the epoch. */
export function expectHttpDateNow(now: unknown): asserts now is number {
  expectNumber('now', now, { reason: 'milliseconds since the Unix epoch, as Date.now() gives' });
}
