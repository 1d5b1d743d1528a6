import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig, type Plugin } from 'vite';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `remix vite:build web` finds this file through the `web` argument, but Remix itself is rooted at the
 * repository: it reads the root package.json (web/ has none) and writes the server build's
 * `assetsBuildDirectory` relative to its root, and remix-serve resolves that against its working
 * directory, which is the repository root in `npm start` and in the container.
 */
function rootRemixAtRepository(): Plugin {
  return { name: 'social-sync:remix-root', enforce: 'pre', config: () => ({ root: repoRoot }) };
}

export default defineConfig({
  plugins: [
    rootRemixAtRepository(),
    remix({
      appDirectory: 'web/app',
      buildDirectory: 'web/build',
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  publicDir: false,
});
