// No secret in any log line or message: the demo path runs with a NATS password and AWS credentials set, including
// failures and dead letters, and every log, CLI output, stream message and KV entry is searched for the secrets.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kvm } from '@nats-io/kv';
import { KV, STREAMS } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { generateBadFile, generateFhvhvParquet } from '@sluice/normalize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPipelineHarness, type PipelineHarness } from '../support';

const exec = promisify(execFile);
const NATS_PASSWORD = 'natsPW-Secret-4c1f9e';
const AWS_SESSION_TOKEN = 'awsSession-Secret-88ab21';
const SECRETS = [NATS_PASSWORD, AWS_SESSION_TOKEN];
let h: PipelineHarness;
const outputs: string[] = [];

beforeAll(async () => {
  h = await startPipelineHarness({
    natsConfig: `authorization { user: sluice, password: "${NATS_PASSWORD}" }`,
    client: { user: 'sluice', pass: NATS_PASSWORD },
    env: { NATS_USER: 'sluice', NATS_PASSWORD, AWS_SESSION_TOKEN, LOG_LEVEL: 'debug' },
  });
  await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 2_000, seed: 1 }));
  await h.source.put('fhvhv_tripdata_2024-02.parquet', generateBadFile('html'));
  await h.startService('scanner');
  await h.startService('capacity-manager');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

it('no secret appears in logs, CLI output, messages or KV', async () => {
  const cli = async (...args: string[]) => {
    const r = await exec(process.execPath, [appEntry('cli'), ...args], { env: { ...h.env } }).catch((e: { stdout: string; stderr: string }) => e);
    outputs.push(r.stdout, r.stderr);
  };
  await cli('run', '--intent', 'incremental', '--wait', '--run-id', 'secrets-1');
  await cli('run', '--dry-run', '--intent', 'reprocess');
  await cli('status', '--json');
  await cli('dlq', 'list', '--json');
  await cli('status', 'secrets-1');
  await cli('run', '--intent', 'nope'); // an error path
  expect(outputs.join('')).toContain('secrets-1');

  for (const f of readdirSync(h.logDir)) outputs.push(readFileSync(join(h.logDir, f), 'utf8'));
  for (const stream of Object.values(STREAMS)) {
    const info = await h.jsm.streams.info(stream);
    for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq += 1) {
      const m = await h.jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (m) outputs.push(m.string(), Buffer.from(m.string()).toString('base64'));
    }
  }
  const kv = await new Kvm(h.nc).open(KV.runsBucket);
  for await (const key of await kv.keys()) outputs.push((await kv.get(key))?.string() ?? '');
  const everything = outputs.join('\n');
  expect(everything.length).toBeGreaterThan(10_000); // we really read logs and messages
  expect(everything).toMatch(/"level":20/); // debug logs included
  for (const secret of SECRETS) expect(everything.includes(secret), `secret ${secret.slice(0, 6)}… leaked`).toBe(false);
});
