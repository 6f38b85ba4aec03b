// Every service serves /health (ready only when connected to NATS with its streams) and /metrics (Prometheus).
import { createServer } from 'node:net';
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

  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 2_000, seed: 1 }));
    for (const app of ['scanner', 'transformer', 'capacity-manager'] as const) {
      ports[app] = await freePort();
      await h.startService(app, { HTTP_PORT: String(ports[app]) });
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

  it('is not ready while NATS is down, and ready again after it comes back', async () => {
    await h.nats.stop();
    await waitFor(async () => (await get('scanner', '/health')).status === 503, { what: 'scanner not ready', timeoutMs: 15_000 });
    await h.nats.restart();
    await waitFor(async () => (await get('scanner', '/health')).status === 200, { what: 'scanner ready again', timeoutMs: 30_000 });
  });
});
