import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { UserWorkspaceConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through this export condition, so an
// unbuilt clone runs its tests without a build step.
const conditions = ['@bulwark/source', 'module', 'node', 'development|production'];

/** The vitest settings every project of the workspace shares. */
export function projectConfig(configUrl: string, overrides: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  const dir = fileURLToPath(new URL('.', configUrl));
  const { name } = JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as { name: string };
  return {
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      root: dir,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      globalSetup: [fileURLToPath(new URL('./tools/test-utils/src/global-setup.ts', import.meta.url))],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      ...overrides,
    },
  };
}
