import { expect, test } from 'vitest';

// The workspace brings its own Node through the registry (the `node` devDependency); the machine's
// may be older. Every tool below `npm test` must run on it.
test('the tests run on the Node 24 the workspace installs', () => {
  expect(Number(process.versions.node.split('.')[0])).toBe(24);
});
