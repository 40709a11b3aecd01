// `prepack`: writes the service template into the package folder, so the tarball carries it.
import { fileURLToPath } from 'node:url';
import { buildTemplate } from './internal/build-template.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const manifest = buildTemplate({ workspaceRoot: here('../../../'), outDir: here('../template'), filesDir: here('../template-files') });
console.log(`create-app: template written, on ${Object.entries(manifest.dependencies ?? {}).filter(([name]) => name.startsWith('@bulwark/')).map(([name, spec]) => `${name}@${spec}`).join(', ')}`);
