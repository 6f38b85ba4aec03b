// Every service serves /health (ready only when connected to NATS with its streams) and /metrics (Prometheus); with
// METRICS_EMF the scanner and the capacity manager also write CloudWatch Embedded Metric Format lines in their logs.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLOUDWATCH_METRICS, CLOUDWATCH_NAMESPACE } from '@sluice/contracts';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('health and metrics endpoints', () => {
  let h: PipelineHarness;
  const ports: Record<string, number> = {};
  const get = async (app: string, path: string) => {
    const res = await fetch(`http://127.0.0.1:${ports[app]}${path}`);
    return { status: res.status, text: await res.text() };
  };

  /** The EMF lines of a service's JSON log: those with an `_aws` object. */
  const emfLines = (app: string): Record<string, any>[] =>
    readFileSync(join(h.logDir, `${app}.log`), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, any>)
      .filter((line) => typeof line._aws === 'object');

  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 2_000, seed: 1 }));
    for (const app of ['scanner', 'transformer', 'capacity-manager'] as const) {
      ports[app] = await freePort();
      // The gauges every 300 ms instead of every minute, so their lines follow the figures within the test's patience.
      await h.startService(app, { HTTP_PORT: String(ports[app]), METRICS_EMF: '1', METRICS_EMF_INTERVAL_MS: '300' });
    }
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('reports ready with its checks on every service', async () => {
    for (const app of Object.keys(ports)) {
      const r = await waitFor(async () => {
        const answer = await get(app, '/health');
        return answer.status === 200 ? answer : undefined;
      }, { what: `${app} ready` });
      expect(JSON.parse(r.text)).toMatchObject({ ready: true, checks: { nats: true, PIPELINE_WORK: true, PIPELINE_DLQ: true } });
    }
  });

  it('counts files, rows, bytes and processing time, backlog and workers in Prometheus format', async () => {
    await h.run({ intent: 'incremental', runId: 'metrics-1' });
    const t = (await get('transformer', '/metrics')).text;
    expect(t).toMatch(/sluice_files_processed_total\{dataset="fhvhv"\} 1/);
    expect(t).toMatch(/sluice_rows_in_total\{dataset="fhvhv"\} 2000/);
    expect(t).toMatch(/sluice_file_processing_seconds_count\{dataset="fhvhv"\} 1/);
    expect(t).toMatch(/sluice_messages_settled_total\{consumer="transformers",action="ack"\} 1/);
    expect(t).toMatch(/sluice_process_resident_memory_bytes \d+/);
    const c = (await get('capacity-manager', '/metrics')).text;
    expect(c).toMatch(/sluice_backlog \d+/);
    expect(c).toMatch(/sluice_workers_desired \d+/);
    expect(c).toMatch(/sluice_workers_running \d+/);
  });

  it('writes the alarm figures as EMF lines: a failed file when its run counts it, dead letters, backlog age, runs stuck', async () => {
    await h.source.put('fhvhv_tripdata_2024-02.parquet', new TextEncoder().encode('<!DOCTYPE HTML><html>Service Unavailable</html>'));
    const record = await h.run({ intent: 'incremental', runId: 'metrics-2' });
    expect([record.done, record.failed]).toEqual([0, 1]);

    const failed = await waitFor(() => emfLines('scanner').find((l) => CLOUDWATCH_METRICS.filesFailed.name in l), { what: 'a FilesFailed line in the scanner log' });
    expect(failed).toMatchObject({ FilesFailed: 1, dataset: 'fhvhv', code: 'not_parquet', service: 'scanner' });
    expect(emfLines('scanner').filter((l) => 'FilesFailed' in l)).toHaveLength(1); // counted once for its run
    expect(emfLines('scanner').some((l) => l.RunsStuck === 0)).toBe(true);
    // The dead letter reaches the gauges; the work stream is empty again once the run is over.
    const queue = await waitFor(() => emfLines('capacity-manager').find((l) => l.DlqDepth === 1 && l.BacklogAgeSeconds === 0), {
      what: 'DlqDepth 1 and BacklogAgeSeconds 0 in the capacity manager log',
    });
    expect(queue.service).toBe('capacity-manager');
    const c = (await get('capacity-manager', '/metrics')).text;
    expect(c).toMatch(/sluice_dlq_messages 1/);
    expect(c).toMatch(/sluice_backlog_age_seconds 0/);
    expect((await get('scanner', '/metrics')).text).toMatch(/sluice_runs_stuck 0/);

    // Every EMF line: what CloudWatch extracts (each declared metric a top-level number, namespace Sluice, no
    // dimensions), and nothing else than the logger's fields and short labels: no secret, no message body.
    const seeds = (['scanner', 'capacity-manager'] as const).map((app) => readFileSync(h.credentials(app).NATS_NKEY_SEED_FILE!, 'utf8').trim());
    const allowed = new Set(['level', 'time', 'service', 'pid', 'hostname', 'msg', '_aws', 'dataset', 'code', ...Object.values(CLOUDWATCH_METRICS).map((m) => m.name)]);
    for (const line of [...emfLines('scanner'), ...emfLines('capacity-manager')]) {
      const [directive, ...others] = line._aws.CloudWatchMetrics;
      expect(others).toEqual([]);
      expect([directive.Namespace, directive.Dimensions]).toEqual([CLOUDWATCH_NAMESPACE, [[]]]);
      expect(typeof line._aws.Timestamp).toBe('number');
      const declared = directive.Metrics.map((m: { Name: string }) => m.Name).sort();
      const numeric = Object.keys(line).filter((k) => Object.values(CLOUDWATCH_METRICS).some((m) => m.name === k)).sort();
      expect(declared).toEqual(numeric);
      for (const name of declared) expect(typeof line[name]).toBe('number');
      expect(Object.keys(line).filter((k) => !allowed.has(k))).toEqual([]);
      for (const seed of seeds) expect(JSON.stringify(line)).not.toContain(seed);
    }
    // The transformer has no figure of its own to write.
    expect(emfLines('transformer')).toEqual([]);
  });

    it('is not ready while NATS is down, and ready again after it comes back', async () => {
    await h.nats.stop();
    await waitFor(async () => (await get('scanner', '/health')).status === 503, { what: 'scanner not ready', timeoutMs: 15_000 });
    await h.nats.restart();
    await waitFor(async () => (await get('scanner', '/health')).status === 200, { what: 'scanner ready again', timeoutMs: 30_000 });
  });
});
