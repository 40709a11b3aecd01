import { createServer } from 'node:net';
import { DemoError } from './run-demo.js';

/** Throws a {@link DemoError} naming `flag` when `port` on 127.0.0.1 is taken (0 is always free). */
export async function assertPortFree(port: number, flag: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new DemoError(`port ${port} on 127.0.0.1 is ${error.code === 'EADDRINUSE' ? 'in use' : 'not allowed'}; pick another with ${flag}, or leave ${flag} out for a free one.`)
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
