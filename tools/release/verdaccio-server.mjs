// A verdaccio registry for the release test, as a child process the test stops by its pid: reads
// its configuration (JSON) from the path given, listens on a free loopback port, and writes
// `{"port": N}` on stdout once it does.
import { readFileSync } from 'node:fs';
import { runServer } from 'verdaccio';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const app = await runServer(config);
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)));
