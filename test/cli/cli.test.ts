// The `sluice` CLI as a user runs it (the built entry point), against a running pipeline.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { appEntry } from '@sluice/embedded';
import { generateBadFile, generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineHarness, type PipelineHarness } from '../support';

const run = promisify(execFile);

describe('sluice CLI', () => {
  let h: PipelineHarness;
  const sluice = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [appEntry('cli'), ...args], {
        env: h.cliEnv(),
        timeout: 120_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 3_000, seed: 1 }));
    await h.source.put('fhvhv_tripdata_2024-02.parquet', generateBadFile('truncated'));
    await h.startService('scanner');
    await h.startService('capacity-manager');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('run --wait follows the run and exits 0 when every file succeeded', async () => {
    const r = await sluice('run', '--intent', 'incremental', '--months', '2024-01', '--wait', '--run-id', 'cli-ok');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('planned: 1 file(s)');
    expect(r.stdout).toMatch(/run cli-ok succeeded: 1 done, 0 failed/);
  });

  it('run --wait exits non-zero and names the failed file and its reason', async () => {
    const r = await sluice('run', '--months', '2024-01..2024-02', '--wait', '--run-id', 'cli-bad');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/completed_with_failures: 0 done, 1 failed/);
    expect(r.stdout).toMatch(/failed fhvhv_tripdata_2024-02\.parquet: truncated: /);
  });

  it('status shows streams, consumers and the given run; --json is machine-readable', async () => {
    const text = await sluice('status', 'cli-bad');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/PIPELINE_WORK/);
    expect(text.stdout).toMatch(/transformers\s+PIPELINE_WORK/);
    expect(text.stdout).toMatch(/run cli-bad \(incremental\): completed_with_failures/);
    const json = JSON.parse((await sluice('status', '--json')).stdout);
    expect(json.consumers.map((c: { consumer: string }) => c.consumer)).toEqual(['scanner', 'transformers', 'run-tracker', 'work-advisories']);
    expect(json.recentRuns.map((r: { runId: string }) => r.runId)).toEqual(expect.arrayContaining(['cli-ok', 'cli-bad']));
    // a failure is its code and reason as fields, as in the run record
    const bad = JSON.parse((await sluice('status', 'cli-bad', '--json')).stdout);
    expect(bad.run.failures).toEqual([{ key: 'fhvhv_tripdata_2024-02.parquet', code: 'truncated', reason: expect.any(String), attempt: expect.any(Number) }]);
    expect(text.stdout).toContain(`failed fhvhv_tripdata_2024-02.parquet: truncated: ${bad.run.failures[0].reason}\n`);
  });

  it('rejects bad arguments with a clear message before publishing anything', async () => {
    const r = await sluice('run', '--intent', 'everything');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--intent.*everything.*incremental, reprocess, test_subset/s);
    const m = await sluice('run', '--months', '2024-13');
    expect(m.stderr).toMatch(/invalid month "2024-13"/);
  });

  it('cancel of an unknown run says so', async () => {
    const r = await sluice('cancel', 'no-such-run');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown run no-such-run');
  });

  it('cannot connect: one clear line, no stack trace', async () => {
    const { stderr, code } = await run(process.execPath, [appEntry('cli'), 'status'], {
      env: { PATH: process.env.PATH, NATS_URL: 'nats://127.0.0.1:1' },
    }).then(
      (ok) => ({ ...ok, code: 0 }),
      (e: { stderr: string; code: number }) => e,
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
  });
});
