// The engine's public API (`@sluice/normalize`) carries no synthetic-data generators: those are test, bench and
// demo data, reached through `@sluice/normalize/synthetic` only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as engine from '@sluice/normalize';
import * as synthetic from '@sluice/normalize/synthetic';
import { describe, expect, it } from 'vitest';

describe('@sluice/normalize', () => {
  it('exports no generator and no bad-file kinds', () => {
    const names = Object.keys(engine);
    expect(names.filter((name) => name.startsWith('generate'))).toEqual([]);
    expect(names).not.toContain('BAD_FILE_KINDS');
    expect(names).toContain('normalizeFile');
  });

  it('re-exports nothing from src/synthetic, types included', () => {
    // Type-only re-exports leave no runtime trace, so the index's own text is checked too.
    const index = readFileSync(join(__dirname, 'index.ts'), 'utf8');
    expect(index).not.toMatch(/['"]\.\/synthetic/);
  });
});

describe('@sluice/normalize/synthetic', () => {
  it('exports the generators and the bad-file kinds', () => {
    expect(Object.keys(synthetic).sort()).toEqual(
      ['BAD_FILE_KINDS', 'generateBadFile', 'generateFhvParquet', 'generateFhvhvParquet', 'generateGreenParquet', 'generateYellowParquet'],
    );
    expect(synthetic.BAD_FILE_KINDS).toContain('truncated');
  });
});
