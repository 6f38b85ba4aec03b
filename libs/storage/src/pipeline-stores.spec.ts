import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPipelineStores } from './pipeline-stores';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-pipeline-stores-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openPipelineStores', () => {
  it('opens the two given locations, creating missing folders; a test output goes to the test sink only', async () => {
    const sinkDir = join(dir, 'sink');
    const testDir = join(dir, 'elsewhere', 'test-sink');
    const stores = openPipelineStores({ sinkUrl: pathToFileURL(sinkDir).href, testSinkUrl: pathToFileURL(testDir).href }, {});
    expect([existsSync(sinkDir), existsSync(testDir)]).toEqual([true, true]);
    await stores.output('test').put('fhvhv/out.txt', 'test rows');
    await stores.output('production').put('fhvhv/out.txt', 'production rows');
    expect(await readFile(join(testDir, 'fhvhv/out.txt'), 'utf8')).toBe('test rows');
    expect(await readFile(join(sinkDir, 'fhvhv/out.txt'), 'utf8')).toBe('production rows');
  });
});
