import { describe, expect, test } from 'vitest';
import { URL_CREDENTIAL_CASES } from '@bulwark/test-utils';
import { health } from './index.js';

describe('credentials in URLs', () => {
  test.each(URL_CREDENTIAL_CASES)('%s: hidden in a health report', async (_shape, text, expected) => {
    const report = await health({ checks: [{ name: 'x', check: () => ({ status: 'warn', output: text, observedValue: { url: text } }) }] }).ready();
    expect(report.checks!.x![0]).toMatchObject({ output: expected, observedValue: { url: expected } });
  });
});
