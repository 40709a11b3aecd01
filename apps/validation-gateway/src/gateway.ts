import type { FastifyInstance } from 'fastify';
import type { Logger } from '@bulwark/logging';
import type { TelemetryReadiness } from './adapters/telemetry-readiness.js';
import { composeGateway, type CompositionOptions } from './composition-root.js';
import type { GatewayConfig } from './config.js';
import type { DependencyContainer } from './di.js';
import { errorShape } from './error-shape.js';
import { buildServer } from './http/server.js';
import type { AppLogger } from './ports/app-logger.js';
import type { Resources } from './resources.js';
import { TOKENS } from './tokens.js';

/** A running gateway. */
export interface Gateway {
  readonly app: FastifyInstance;
  readonly container: DependencyContainer;
  /** `http://host:port`, once listening. */
  readonly url: string;
  /**
   * Stops gracefully: readiness fails, the listener closes, requests in flight finish (cut after
   * `shutdownTimeoutMs`), then Redis, the caches, the secrets and the logger are closed.
   */
  close(): Promise<void>;
}

/** Composes the gateway, builds its server and starts listening. */
export async function startGateway(config: GatewayConfig, options: CompositionOptions = {}): Promise<Gateway> {
  const container = await composeGateway(config, options);
  const resources = container.resolve<Resources>(TOKENS.Resources);
  const logger = container.resolve<AppLogger & Partial<Pick<Logger, 'log' | 'isLevelEnabled' | 'level'>>>(TOKENS.Logger);
  let app: FastifyInstance;
  try {
    app = buildServer(container);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await resources.closeAll();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // The line that says where it listens is written whatever the level (at the level itself when
  // that is stricter than info): tools that start the gateway on port 0 wait for it. A logger
  // registered in place of @bulwark/logging's has only the AppLogger port: it gets an info line.
  const listening = { event: 'listening', url, port, pid: process.pid, redis: config.redisUrl !== undefined };
  if (typeof logger.log === 'function') {
    const level = typeof logger.isLevelEnabled === 'function' && !logger.isLevelEnabled('info') && logger.level !== undefined ? logger.level : 'info';
    logger.log(level, 'listening', listening);
  } else {
    logger.info('listening', listening);
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const readiness = container.resolve<TelemetryReadiness>(TOKENS.Readiness);
      if (typeof readiness.drain === 'function') readiness.drain();
      logger.info('shutting down: finishing the requests in flight', { event: 'draining' });
      const cut = setTimeout(() => {
        logger.warn('shutdown deadline passed; closing the remaining connections', { shutdownTimeoutMs: config.shutdownTimeoutMs });
        app.server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
      logger.info('stopped', { event: 'stopped' });
      await resources.closeAll((name, error) => logger.error(`could not close ${name}`, { error: errorShape(error) }));
    })());
  return { app, container, url, close };
}
