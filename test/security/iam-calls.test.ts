// IAM proven against the real calls: every AWS request each service makes — S3 through a recording proxy per service,
// the ECS API through one in front of the fake ECS, the task-protection endpoint through another — over the whole
// scenario set, judged by a real IAM evaluator against the policies the CDK app synthesizes for that service's role
// (tokens replaced by the names used here). s3rver enforces no policy: without this a missing permission shows only
// on AWS, as a 403 on every file. Each scenario is one security row: calls made, calls denied.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runReportKey, SUBJECTS, type RunRecord } from '@sluice/contracts';
import { appEntry, startServiceProcess } from '@sluice/embedded';
import { Publisher } from '@sluice/messaging';
import { generateFhvhvParquet, generateYellowParquet } from '@sluice/normalize/synthetic';
import type { ObjectStore } from '@sluice/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SINK_BUCKET,
  SOURCE_BUCKET,
  SOURCE_PREFIX,
  startFakeEcs,
  startPipelineHarness,
  startS3FaultProxy,
  waitFor,
  type FakeEcs,
  type PipelineHarness,
  type S3FaultProxy,
} from '../support';
import { mapRequests, type ArnContext, type AwsCall, type Protocol, type UnmappedRequest } from '../support/aws-call-recorder';
import { deployedPolicies, rolePolicies, type Deployment } from '../support/deployed-policies';
import { formatDenials, IamEvaluator, type Denial } from '../support/iam-evaluator';
import { recordSecurityRow } from './security-table';

const exec = promisify(execFile);
const CLUSTER = 'sluice';
const SERVICE = 'transformer';
const DEPLOYMENT: Deployment = {
  partition: 'aws',
  region: 'us-east-1',
  account: '123456789012',
  sinkBucket: SINK_BUCKET,
  sourceUrl: `s3://${SOURCE_BUCKET}/${SOURCE_PREFIX}`,
  cluster: CLUSTER,
  transformerService: SERVICE,
};
const ARNS: ArnContext = { partition: DEPLOYMENT.partition, region: DEPLOYMENT.region, account: DEPLOYMENT.account, cluster: CLUSTER };
const fhvhv = (month: string) => `fhvhv_tripdata_${month}.parquet`;
const YELLOW = 'yellow_tripdata_2024-01.parquet';

/** One service's traffic through one proxy, read scenario by scenario. */
interface Recorder {
  service: 'scanner' | 'transformer' | 'capacity-manager' | 'cli';
  protocol: Protocol;
  proxy: S3FaultProxy;
  seen: number;
}

interface ScenarioCalls {
  calls: AwsCall[];
  unmapped: UnmappedRequest[];
  denials: Denial[];
}

let h: PipelineHarness;
let ecs: FakeEcs;
let evaluator: IamEvaluator;
const recorders: Recorder[] = [];
/** Read by the fake ECS when it starts a task: a scenario sets it while no task runs. */
let transformerEnv: NodeJS.ProcessEnv = {};
const allCalls: AwsCall[] = [];
const byScenario: Array<{ scenario: string; calls: AwsCall[] }> = [];
let runs = 0;

beforeAll(async () => {
  evaluator = new IamEvaluator({
    account: DEPLOYMENT.account,
    roles: rolePolicies(deployedPolicies(DEPLOYMENT)),
    // The services reach AWS over HTTPS (the SDK default); the sink's bucket policy denies anything else.
    globalContext: { 'aws:SecureTransport': 'true' },
  });
  h = await startPipelineHarness({
    env: {
      CAPACITY_BACKEND: 'ecs',
      ECS_CLUSTER: CLUSTER,
      ECS_SERVICE: SERVICE,
      WORKERS_MAX: '1',
      IDLE_TIMEOUT_MS: '1000',
      SCALE_COOLDOWN_MS: '500',
      TASK_PROTECTION_MINUTES: '5',
    },
  });
  const proxy = async (service: Recorder['service'], protocol: Protocol, target: string) => {
    const r: Recorder = { service, protocol, proxy: await startS3FaultProxy(target), seen: 0 };
    recorders.push(r);
    return r.proxy;
  };
  ecs = await startFakeEcs({
    cluster: CLUSTER,
    service: SERVICE,
    startDelayMs: 200,
    launch: (taskId) => {
      const task = startServiceProcess('transformer', {
        env: {
          ...h.envFor('transformer'),
          S3_ENDPOINT: transformerS3.endpoint,
          ECS_AGENT_URI: `${agent.endpoint}/agent/${taskId}`,
          WORKER_ID: `task-${taskId}`,
          ...transformerEnv,
        },
        logFile: `${h.logDir}/task-${taskId}.log`,
      });
      return { exited: task.exited, stop: () => task.kill('SIGTERM') };
    },
  });
  const transformerS3 = await proxy('transformer', 's3', h.s3.endpoint);
  const agent = await proxy('transformer', 'ecs-agent', ecs.endpoint);
  const scannerS3 = await proxy('scanner', 's3', h.s3.endpoint);
  const managerS3 = await proxy('capacity-manager', 's3', h.s3.endpoint);
  const managerEcs = await proxy('capacity-manager', 'ecs-api', ecs.endpoint);
  await proxy('cli', 's3', h.s3.endpoint);

  await h.source.put(fhvhv('2024-01'), generateFhvhvParquet({ month: '2024-01', rows: 3_000, seed: 1 }));
  await h.source.put(fhvhv('2024-02'), generateFhvhvParquet({ month: '2024-02', rows: 3_000, seed: 2 }));
  await h.source.put(YELLOW, generateYellowParquet({ month: '2024-01', rows: 2_000, seed: 3 }));
  await h.startService('scanner', { S3_ENDPOINT: scannerS3.endpoint });
  await h.startService('capacity-manager', { S3_ENDPOINT: managerS3.endpoint, ECS_ENDPOINT: managerEcs.endpoint });
}, 90_000);

afterAll(async () => {
  await h?.stop();
  await ecs?.stop();
  await Promise.all(recorders.map((r) => r.proxy.stop()));
  for (const { scenario, calls } of byScenario) console.log(`AWS calls of "${scenario}":\n${countsTable(calls)}`);
  if (allCalls.length > 0) console.log(`AWS calls by service and action (all scenarios):\n${countsTable(allCalls)}`);
});

/** Runs to the end, report written, every task gone: every call of the run has been answered and recorded. */
async function runToQuiet(request: Parameters<PipelineHarness['run']>[0], store: ObjectStore = h.sink): Promise<RunRecord> {
  const record = await h.run(request, 120_000);
  await waitFor(() => store.head(runReportKey(request.runId)), { what: `the report of ${request.runId}`, timeoutMs: 10_000 });
  await quiet();
  return record;
}

async function quiet(): Promise<void> {
  await waitFor(() => ecs.desired() === 0 && ecs.tasks().length === 0, { what: 'every transformer task gone', timeoutMs: 30_000 });
  await waitFor(() => recorders.every((r) => r.proxy.recorded.every((q) => q.status !== undefined)), { what: 'no request in flight', timeoutMs: 10_000 });
}

/** The calls recorded since the previous scenario, mapped and judged. */
async function takeCalls(): Promise<ScenarioCalls> {
  const out: ScenarioCalls = { calls: [], unmapped: [], denials: [] };
  for (const r of recorders) {
    const requests = r.proxy.recorded.slice(r.seen);
    r.seen += requests.length;
    const mapped = mapRequests(r.service, r.protocol, requests, ARNS);
    out.calls.push(...mapped.calls);
    out.unmapped.push(...mapped.unmapped);
  }
  for (const call of out.calls) out.denials.push(...(await evaluator.denials(call)));
  allCalls.push(...out.calls);
  return out;
}

/**
 * Records the scenario's row and fails on any unmapped or denied call. `mustNotWrite` names the keys this scenario
 * must leave alone (clobbered counts writes to them).
 */
function judge(scenario: string, taken: ScenarioCalls, runId: string | undefined, mustNotWrite: (key: string) => boolean = () => false) {
  const writes = taken.calls.flatMap((c) => c.checks).filter((k) => /^s3:(PutObject|DeleteObject)$/.test(k.action));
  const clobbered = writes.filter((k) => k.resource.startsWith(`arn:aws:s3:::${SINK_BUCKET}/`) && mustNotWrite(k.resource.slice(`arn:aws:s3:::${SINK_BUCKET}/`.length))).length;
  const done = h.fileEvents.filter((e) => e.runId === runId && e.type === 'done' && !e.alreadyCommitted).map((e) => e.sourceKey);
  const byService = Object.entries(countBy(taken.calls, (c) => c.service)).map(([s, n]) => `${s} ${n}`).join(', ');
  byScenario.push({ scenario, calls: taken.calls });
  const row = recordSecurityRow({
    area: 'iam',
    scenario: `IAM: ${scenario}`,
    expected: 'every AWS call is allowed by the role the CDK app gives its service; none unmapped',
    happened:
      `${taken.calls.length} calls (${byService || 'none'}), ${taken.denials.length} denied, ${taken.unmapped.length} unmapped` +
      (taken.denials.length ? `: ${[...new Set(taken.denials.map((d) => `${d.service} ${d.action} ${d.resource.replace(/^arn:aws:s3:::/, '')}`))].slice(0, 4).join('; ')}` : ''),
    // On AWS a denied call is a 403: the file (or the run's planning) it belongs to fails.
    lost: filesNamedBy(taken.denials),
    duplicated: done.length - new Set(done).size,
    clobbered,
  });
  expect(taken.unmapped, `unmapped requests:\n${taken.unmapped.map((u) => `${u.service}: ${u.request}: ${u.why}`).join('\n')}`).toEqual([]);
  expect(taken.denials, `denied by the synthesized policies:\n${formatDenials(taken.denials)}`).toEqual([]);
  expect(row).toMatchObject({ lost: 0, duplicated: 0, clobbered: 0 });
}

const nextRunId = () => `iam-${++runs}`;
const callsOf = (t: ScenarioCalls, service: string, operation: string, keyPattern?: RegExp) =>
  t.calls.filter((c) => c.service === service && c.operation === operation && (!keyPattern || c.checks.some((k) => keyPattern.test(k.resource))));

describe('IAM: every AWS call of every service, against the synthesized role policies', () => {
  it('first incremental run (QUARANTINE=false, the default): three files written; no needless quarantine delete', async () => {
    const runId = nextRunId();
    const record = await runToQuiet({ intent: 'incremental', runId });
    expect(record).toMatchObject({ state: 'succeeded', total: 3, done: 3 });
    const taken = await takeCalls();
    judge('first incremental run', taken, runId);
    // No earlier manifest lists a quarantine file: nothing to delete.
    expect(callsOf(taken, 'transformer', 'S3 DeleteObject')).toEqual([]);
    expect(callsOf(taken, 'transformer', 'ECS UpdateTaskProtection').length).toBeGreaterThanOrEqual(6); // on and off per file
    expect(callsOf(taken, 'capacity-manager', 'ECS UpdateService').length).toBeGreaterThanOrEqual(2); // up, then back to 0
  });

  it('second incremental run: nothing to do, no worker asked for', async () => {
    const runId = nextRunId();
    const record = await runToQuiet({ intent: 'incremental', runId });
    expect(record).toMatchObject({ state: 'succeeded', total: 0 });
    const taken = await takeCalls();
    judge('second incremental run (nothing to do)', taken, runId, (key) => !key.startsWith('_sluice/runs/'));
    expect(taken.calls.filter((c) => c.service === 'transformer')).toEqual([]);
  });

  it('a replaced source (new ETag) is processed again', async () => {
    await h.source.put(fhvhv('2024-01'), generateFhvhvParquet({ month: '2024-01', rows: 3_000, seed: 11 }));
    const runId = nextRunId();
    const record = await runToQuiet({ intent: 'incremental', runId });
    expect(record).toMatchObject({ state: 'succeeded', total: 1, done: 1 });
    expect(record.files[fhvhv('2024-01')]?.reason).toBe('source_changed');
    judge('replaced source (new ETag)', await takeCalls(), runId);
  });

  it('QUARANTINE=true: reprocess (fhvhv only) writes each file and its dropped rows under _quarantine/', async () => {
    transformerEnv = { QUARANTINE: 'true' };
    const runId = nextRunId();
    const record = await runToQuiet({ intent: 'reprocess', runId, datasets: ['fhvhv'] });
    expect(record).toMatchObject({ state: 'succeeded', total: 2, done: 2 });
    expect((await h.manifests()).map((m) => m.quarantine?.key)).toEqual([
      '_quarantine/fhvhv/year=2024/month=01/fhvhv_2024-01.parquet',
      '_quarantine/fhvhv/year=2024/month=02/fhvhv_2024-02.parquet',
      undefined, // yellow 2024-01: not in this run
    ]);
    const taken = await takeCalls();
    judge('QUARANTINE=true (reprocess, fhvhv)', taken, runId);
    expect(callsOf(taken, 'transformer', 'S3 PutObject', /\/_quarantine\//).length + callsOf(taken, 'transformer', 'S3 CompleteMultipartUpload', /\/_quarantine\//).length).toBe(2);
  });

  it('QUARANTINE=false, reprocess with two orphans: the scanner removes them (a quarantine file only where the manifest lists one), the transformer the stale quarantine file', async () => {
    transformerEnv = {};
    await h.source.delete(fhvhv('2024-02'));
    await h.source.delete(YELLOW);
    const runId = nextRunId();
    const record = await runToQuiet({ intent: 'reprocess', runId });
    expect(record).toMatchObject({ state: 'succeeded', total: 1, done: 1 });
    expect([...record.orphansRemoved].sort()).toEqual(['fhvhv/year=2024/month=02/fhvhv_2024-02.parquet', 'yellow/year=2024/month=01/yellow_2024-01.parquet']);
    expect((await h.manifests()).map((m) => [m.dataset, m.month, m.quarantine])).toEqual([['fhvhv', '2024-01', undefined]]);
    for (const key of ['_quarantine/fhvhv/year=2024/month=01/fhvhv_2024-01.parquet', '_quarantine/fhvhv/year=2024/month=02/fhvhv_2024-02.parquet']) {
      expect(await h.sink.head(key), key).toBeUndefined();
    }
    const taken = await takeCalls();
    judge('QUARANTINE=false after true; reprocess with orphans (sources deleted since)', taken, runId);
    // manifest, output and quarantine file of fhvhv 2024-02; manifest and output of yellow 2024-01, which had none
    expect(callsOf(taken, 'scanner', 'S3 DeleteObject').map((c) => c.checks[0].resource.replace(`arn:aws:s3:::${SINK_BUCKET}/`, '')).sort()).toEqual([
      '_quarantine/fhvhv/year=2024/month=02/fhvhv_2024-02.parquet',
      '_sluice/manifests/fhvhv/2024-02.json',
      '_sluice/manifests/yellow/2024-01.json',
      'fhvhv/year=2024/month=02/fhvhv_2024-02.parquet',
      'yellow/year=2024/month=01/yellow_2024-01.parquet',
    ]);
    expect(callsOf(taken, 'transformer', 'S3 DeleteObject').map((c) => c.checks[0].resource)).toEqual([
      `arn:aws:s3:::${SINK_BUCKET}/_quarantine/fhvhv/year=2024/month=01/fhvhv_2024-01.parquet`,
    ]);
  });

  it('test_subset with QUARANTINE=true, then false (ranged reads): only under the test prefix', async () => {
    const notTest = (key: string) => !key.startsWith('_test/');
    for (const quarantine of ['true', 'false']) {
      transformerEnv = { QUARANTINE: quarantine, SOURCE_READ_MODE: 'ranged' };
      const runId = nextRunId();
      const record = await runToQuiet({ intent: 'test_subset', runId, limit: 1 }, h.testSink);
      expect(record).toMatchObject({ state: 'succeeded', total: 1, done: 1, target: 'test' });
      const [manifest] = await h.manifests(h.testSink);
      expect(Boolean(manifest.quarantine)).toBe(quarantine === 'true');
      const taken = await takeCalls();
      judge(`test_subset (QUARANTINE=${quarantine}, ranged reads)`, taken, runId, notTest);
      if (quarantine === 'false') expect(callsOf(taken, 'transformer', 'S3 DeleteObject', /\/_test\/_quarantine\//).length).toBe(1);
    }
  });

  it('cancel mid-run: the file in progress settles, the queued ones are dropped, the report is written', async () => {
    transformerEnv = {};
    // The first file is large enough for its output to go up as a multipart upload (parts of 8 MiB), and to be in
    // progress for a while when the cancel comes; the other two wait in the queue.
    const months = ['2023-10', '2023-11', '2023-12'];
    for (const [i, m] of months.entries()) await h.source.put(fhvhv(m), generateFhvhvParquet({ month: m, rows: i === 0 ? 250_000 : 20_000, seed: 20 + i }));
    const runId = nextRunId();
    const run = h.run({ intent: 'incremental', runId }, 120_000);
    await waitFor(() => h.fileEvents.some((e) => e.runId === runId && e.type === 'started'), { what: 'the first file started', timeoutMs: 60_000, intervalMs: 20 });
    await new Publisher(h.nc).publishJson(SUBJECTS.cancel, { runId, reason: 'IAM scenario' });
    const record = await run;
    expect(record).toMatchObject({ state: 'cancelled', total: 3 });
    expect(record.done).toBeLessThan(3);
    await waitFor(() => h.sink.head(runReportKey(runId)), { what: `the report of ${runId}`, timeoutMs: 10_000 });
    await quiet();
    judge('cancel mid-run', await takeCalls(), runId);
  });

  it('`sluice run --dry-run`: the scanner plans (lists and reads), nothing is written; the CLI makes no AWS call', async () => {
    const cli = recorders.find((r) => r.service === 'cli')!;
    const { stdout } = await exec(process.execPath, [appEntry('cli'), 'run', '--dry-run', '--json', '--intent', 'reprocess'], {
      env: { ...h.envFor('cli'), S3_ENDPOINT: cli.proxy.endpoint },
    });
    expect(JSON.parse(stdout).files.length).toBeGreaterThan(0);
    const taken = await takeCalls();
    judge('sluice run --dry-run', taken, undefined, () => true);
    expect(callsOf(taken, 'scanner', 'S3 ListObjectsV2').length).toBe(2); // the source and the manifests
    expect(taken.calls.filter((c) => c.service === 'cli')).toEqual([]);
  });

  it('over every scenario: each service made only calls its role allows (an s3:// source throughout)', () => {
    const services = new Set(allCalls.map((c) => c.service));
    expect([...services].sort()).toEqual(['capacity-manager', 'scanner', 'transformer']);
    const counts = countBy(allCalls, (c) => `${c.service} ${c.operation}`);
    // The source is read from its bucket, by the scanner (list) and the transformer (HEAD + ranged GETs).
    expect(allCalls.some((c) => c.service === 'scanner' && c.checks.some((k) => k.resource === `arn:aws:s3:::${SOURCE_BUCKET}`))).toBe(true);
    expect(counts['transformer S3 HeadObject']).toBeGreaterThan(0);
  });
});

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function countsTable(calls: readonly AwsCall[]): string {
  const counts = countBy(
    calls.flatMap((c) => c.checks.filter((k) => !k.note).map((k) => `${c.service.padEnd(17)} ${c.operation.padEnd(28)} ${k.action}`)),
    (line) => line,
  );
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([line, n]) => `  ${line.padEnd(80)} ${String(n).padStart(5)}`)
    .join('\n');
}

/** Distinct dataset-months named by the denied resources (a file's output, manifest or quarantine key). */
function filesNamedBy(denials: readonly Denial[]): number {
  const files = new Set<string>();
  for (const d of denials) {
    const m = /(fhvhv|yellow|green|fhv)[/_](?:year=\d{4}\/month=\d{2}\/\w+_|tripdata_)?(\d{4}-\d{2})/.exec(d.resource);
    files.add(m ? `${m[1]} ${m[2]}` : d.resource);
  }
  return files.size;
}
