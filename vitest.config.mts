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
    // Vitest 3 sizes the forks pool from this root setting (a project's own poolOptions are not read for it), and
    // on 2 cores its default is 1: integration files run one at a time, as they always have. Two at a time took the
    // suite from 536 s to 366 s, but the cancel fault test then saw a partial output once: not raised until that is
    // understood (see the stop's note).
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
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
          // each file starts its own nats-server and S3 server and child processes (see poolOptions above)
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
