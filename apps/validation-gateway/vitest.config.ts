import { defineProject } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.js';

// The end-to-end tests start real processes (the gateway, an upstream, private Redis servers):
// one file at a time, so that two suites never compete for the machine's two cores.
export default defineProject(projectConfig(import.meta.url, { fileParallelism: false, testTimeout: 60_000 }));
