// The transformer with SOURCE_READ_MODE=ranged (the engine reads the source object by ranged GETs, nothing is
// downloaded) and QUARANTINE=true (the dropped rows are written beside the outputs): commit, every bad-file kind,
// and turning quarantine off again. Real nats-server, s3rver and transformer processes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputKey, quarantineKey, type FileEvent } from '@sluice/contracts';
import { BAD_FILE_KINDS, generateBadFile, generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_FILE_CODES, duckdbRows, fileEventFor, publishWork, startPipelineHarness, type PipelineHarness } from '../support';

describe('transformer with ranged reads and quarantine', () => {
  let h: PipelineHarness;
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-ranged-'));

  const work = (runId: string, month: string, key?: string) => publishWork(h, runId, month, key);
  const eventFor = (runId: string, month: string, type: FileEvent['type']) => fileEventFor(h, runId, month, type);
  const rowsOf = async (key: string) => {
    const file = join(scratch, key.replaceAll('/', '_'));
    writeFileSync(file, (await h.sink.getBytes(key))!);
    const [row] = await duckdbRows(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}')`);
    return row.n;
  };

  beforeAll(async () => {
    // WORK_DIR points nowhere: a ranged read must not need it
    h = await startPipelineHarness({
      env: { WORK_ACK_WAIT_MS: '10000', SOURCE_READ_MODE: 'ranged', QUARANTINE: 'true', WORK_DIR: join(scratch, 'no such dir') },
    });
    await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 40_000, invalidFraction: 0.01 }));
    for (const [i, kind] of BAD_FILE_KINDS.entries()) {
      await h.source.put(`fhvhv_tripdata_2023-${String(i + 1).padStart(2, '0')}.parquet`, generateBadFile(kind));
    }
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('commits a file read by ranges, with its quarantine file recorded in the manifest', async () => {
    await h.startService('transformer');
    await work('r1', '2024-01');
    const done = await eventFor('r1', '2024-01', 'done');
    expect(done).toMatchObject({ rowsIn: 40_000, rowsOut: 39_600, outputKey: outputKey('fhvhv', '2024-01') });
    const [manifest] = await h.manifests();
    expect(manifest.source.etag).toBe((await h.source.head('fhvhv_tripdata_2024-01.parquet'))!.etag);
    expect(manifest.quarantine).toMatchObject({ key: quarantineKey('fhvhv', '2024-01'), rows: 400 });
    expect(manifest.quarantine!.bytes).toBe((await h.sink.head(quarantineKey('fhvhv', '2024-01')))!.size);
    expect(await rowsOf(outputKey('fhvhv', '2024-01'))).toBe(39_600);
    expect(await rowsOf(quarantineKey('fhvhv', '2024-01'))).toBe(400);
    const file = join(scratch, 'q.parquet');
    writeFileSync(file, (await h.sink.getBytes(quarantineKey('fhvhv', '2024-01')))!);
    const byRule = await duckdbRows(`SELECT quality_rule::VARCHAR AS rule, count(*)::INTEGER AS n FROM read_parquet('${file}') GROUP BY 1 ORDER BY 1`);
    expect(Object.fromEntries(byRule.map((r) => [r.rule, r.n]))).toEqual(
      Object.fromEntries(Object.entries(manifest.dropped).filter(([, n]) => n > 0)),
    );
  });

  it('fails each bad file with the same code as a downloaded one, leaving no output and no quarantine file', async () => {
    for (const [i] of BAD_FILE_KINDS.entries()) await work('r2', `2023-${String(i + 1).padStart(2, '0')}`);
    const expected = BAD_FILE_CODES;
    for (const [i, kind] of BAD_FILE_KINDS.entries()) {
      const month = `2023-${String(i + 1).padStart(2, '0')}`;
      if (kind === 'zero-rows') {
        expect(await eventFor('r2', month, 'done')).toMatchObject({ rowsIn: 0 });
        continue;
      }
      const failed = await eventFor('r2', month, 'failed');
      expect(failed.type === 'failed' && failed.code, kind).toMatch(expected[kind]);
      expect(await h.sink.head(outputKey('fhvhv', month)), kind).toBeUndefined();
      expect(await h.sink.head(quarantineKey('fhvhv', month)), kind).toBeUndefined();
    }
  });

  it('with QUARANTINE=false again, reprocessing removes the quarantine file that no longer matches', async () => {
    await h.services.get('transformer')?.stop();
    await h.startService('transformer', { QUARANTINE: 'false' });
    await work('r3', '2024-01');
    await eventFor('r3', '2024-01', 'done');
    const manifest = (await h.manifests()).find((m) => m.month === '2024-01')!;
    expect(manifest.runId).toBe('r3');
    expect(manifest.quarantine).toBeUndefined();
    expect(await h.sink.head(quarantineKey('fhvhv', '2024-01'))).toBeUndefined();
  });
});
