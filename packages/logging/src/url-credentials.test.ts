import { describe, expect, test } from 'vitest';
import { captureLog, URL_CREDENTIAL_CASES } from '@bulwark/test-utils';
import { createLogger } from './index.js';

describe('credentials in URLs', () => {
  test.each(URL_CREDENTIAL_CASES)('%s: hidden wherever a URL is written', async (_shape, text, expected) => {
    const out = captureLog();
    const logger = createLogger({ service: 'gateway', destination: out.destination });
    logger.info(text, { url: text, error: new Error(text) });
    const [line] = await out.lines();
    expect(line!.message).toBe(expected);
    expect(line!.url).toBe(expected);
    expect((line!.error as { message: string }).message).toBe(expected);
  });

  test('the censor of the logger stands in for them', async () => {
    const out = captureLog();
    const logger = createLogger({ service: 'gateway', destination: out.destination, censor: '***' });
    logger.info('postgres://app:s3cret@db/x?token=t-1'); // bulwark-allow-secret: made up
    expect((await out.lines())[0]!.message).toBe('postgres://***@db/x?token=***');
  });
});
