// The baseline of the cache-hit benchmark: a bare Fastify route answering the same JSON as the
// gateway's cache hit, in a process of its own like the gateway. Prints its URL when it listens.
import Fastify from 'fastify';

const answer = { email: 'ada@lovelace.dev', valid: true, reason: 'accepted', disposable: false, domain: 'lovelace.dev', source: 'cache', ageMs: 12 };
// With BENCH_WORK_US=n the route first spins for n µs: a stand-in for a route's own work, to show
// what throughput and p99 at 50 connections are left once a request does that much more.
const workNs = BigInt(Math.round(Number(process.env.BENCH_WORK_US ?? 0) * 1000));
const app = Fastify({ logger: false });
app.post(
  '/v1/validate/email',
  workNs === 0n
    ? async () => answer
    : async () => {
        const end = process.hrtime.bigint() + workNs;
        while (process.hrtime.bigint() < end);
        return answer;
      },
);
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` })}\n`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
