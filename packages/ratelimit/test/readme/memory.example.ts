import { rateLimiter } from '@bulwark/ratelimit';

const github = rateLimiter({
  name: 'github',
  limits: [
    { limit: 10, windowMs: 1_000, burst: 5 }, // 10 per second, at most 5 at once
    { algorithm: 'fixed-window', limit: 5_000, windowMs: 3_600_000 }, // and 5,000 per hour
  ],
});

export async function getRepo(name: string): Promise<Response> {
  await github.acquire('api.github.com', { maxWaitMs: 5_000 }); // waits its turn, or throws RateLimitedError
  const response = await fetch(`https://api.github.com/repos/${name}`);
  await github.observe('api.github.com', response); // obeys Retry-After, RateLimit, X-RateLimit-*, bare 429s
  return response;
}
