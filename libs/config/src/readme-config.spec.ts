// The README's configuration table is the users' reference: every key a service reads must be in it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capacityEnvSchema, cliEnvSchema, scannerEnvSchema, transformerEnvSchema } from './env.schema';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const keysOf = (schema: { shape?: Record<string, unknown>; _zod?: { def: { in?: { shape: Record<string, unknown> } } } }) =>
  Object.keys(schema.shape ?? schema._zod?.def.in?.shape ?? {});

describe('README configuration table', () => {
  const schemas = { scanner: scannerEnvSchema, transformer: transformerEnvSchema, capacity: capacityEnvSchema, cli: cliEnvSchema };
  for (const [service, schema] of Object.entries(schemas)) {
    it(`documents every ${service} variable`, () => {
      const keys = keysOf(schema as never);
      expect(keys.length).toBeGreaterThan(5);
      const missing = keys.filter((k) => !readme.includes(`| \`${k}\` |`));
      expect(missing).toEqual([]);
    });
  }
});
