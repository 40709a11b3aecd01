import type { UserWorkspaceConfig } from 'vitest/config';
/** The vitest settings every project of the workspace shares. */
export declare function projectConfig(configUrl: string, overrides?: UserWorkspaceConfig['test']): UserWorkspaceConfig;
//# sourceMappingURL=vitest.shared.d.ts.map