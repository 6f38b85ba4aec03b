import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: NestJS needs emitDecoratorMetadata, which esbuild does not emit.
const root = dirname(fileURLToPath(import.meta.url));
const libs = ['contracts', 'messaging', 'storage', 'sources', 'normalize', 'capacity', 'config', 'observability', 'embedded'];
const alias = Object.fromEntries(libs.map((l) => [`@sluice/${l}`, resolve(root, `libs/${l}/src`)]));

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias },
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'infra/test/**/*.test.ts'],
          environment: 'node',
          // each file starts its own nats-server and S3 server and child processes: keep 2 cores breathing
          pool: 'forks',
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
