import { inject, injectable } from '../di.js';
import type { AppLogger } from '../ports/app-logger.js';
import type { InvalidationTarget, ValidationCache } from '../ports/validation-cache.js';
import { TOKENS } from '../tokens.js';

/** Cache invalidation for operators: by address, by tag (`domain:<name>`) or everything, on every instance. */
@injectable()
export class CacheAdminService {
  readonly #cache: ValidationCache;
  readonly #logger: AppLogger;

  constructor(@inject(TOKENS.Cache) cache: ValidationCache, @inject(TOKENS.Logger) logger: AppLogger) {
    this.#cache = cache;
    this.#logger = logger;
  }

  async invalidate(target: InvalidationTarget): Promise<void> {
    await this.#cache.invalidate(target);
    // The address itself is personal data: the line says what kind of invalidation it was.
    this.#logger.info('cache invalidated', { invalidation: target.kind, ...(target.kind === 'tag' ? { tag: target.tag } : {}) });
  }
}
