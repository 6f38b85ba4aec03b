// An authenticated bus (issue 12 §3): who may connect, publish and subscribe what is enforced by nats-server, from the
// role permissions the services, the demo, compose and the CDK stack all use. Each scenario is tried as an attacker
// with a role's own credentials would, and what the server refused or the streams stored is recorded.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BUS_ROLES, DURABLES, inboxPrefixFor, PlanReplySchema, STREAMS, SUBJECTS, WORK_ADVISORY_SUBJECTS, type BusRole, type PlanReply } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { connectNats } from '@sluice/messaging';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliHint, startDemoEnvironment, type DemoEnvironment } from '../../apps/cli/src/demo/demo-environment';
import { FAULTS, startPipelineHarness, waitFor, type PipelineHarness, type S3FaultProxy } from '../support';
import { recordSecurityRow } from './security-table';

const exec = promisify(execFile);
let h: PipelineHarness;
let proxy: S3FaultProxy;
const connections: NatsConnection[] = [];
/** The asynchronous errors the server sent each connection (a refused core publish is reported only this way). */
const serverErrors = new WeakMap<NatsConnection, string[]>();

/** A connection as that role, as its service makes it (its seed, its own inbox). */
async function as(role: BusRole): Promise<NatsConnection> {
  const nc = await connectNats({ url: h.nats.url, nkeySeedFile: h.bus!.seedFiles[role] }, `attacker-${role}`);
  connections.push(nc);
  const errors: string[] = [];
  serverErrors.set(nc, errors);
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.error));
  })();
  return nc;
}

const messagesIn = async (stream: string) => (await h.jsm.streams.info(stream)).state.messages;
const counts = async () => Object.fromEntries(await Promise.all(Object.values(STREAMS).filter((s) => s !== STREAMS.advisories).map(async (s) => [s, await messagesIn(s)] as const)));
const stored = (before: Record<string, number>, after: Record<string, number>) => Object.keys(before).reduce((n, s) => n + (after[s] - before[s]), 0);

/** Publishes through JetStream; the outcome as text: `stored` or the error the client got. */
async function tryPublish(nc: NatsConnection, subject: string, body = '{}'): Promise<string> {
  try {
    await jetstream(nc).publish(subject, body, { timeout: 5_000 });
    return 'stored';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Core publish: the server reports a refusal as an asynchronous error on the connection. */
async function corePublishRefused(nc: NatsConnection, subject: string): Promise<boolean> {
  nc.publish(subject, '{"forged":true}');
  await nc.flush(); // the server has handled the publish, and sent its -ERR before this PONG
  const refused = () => serverErrors.get(nc)!.some((e) => /Permissions Violation/.test(e) && e.includes(subject));
  return waitFor(refused, { what: `the refusal of ${subject}`, timeoutMs: 5_000 }).catch(() => false);
}

beforeAll(async () => {
  h = await startPipelineHarness({ s3FaultProxy: true, env: { S3_REQUEST_TIMEOUT_MS: '10000' } });
  proxy = h.proxy!; // the scanner reaches S3 through the proxy; the flood test stalls its listings
  await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 1_000, seed: 1 }));
  await h.startService('scanner');
}, 60_000);

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  await h?.stop();
});

describe('an authenticated bus', () => {
  it('an anonymous client cannot connect', async () => {
    const before = await counts();
    const outcome = await connect({ servers: h.nats.url, reconnect: false }).then(
      async (nc) => {
        connections.push(nc);
        return `connected; publish: ${await tryPublish(nc, SUBJECTS.run, JSON.stringify({ intent: 'reprocess' }))}`;
      },
      (error: Error) => `refused: ${error.message}`,
    );
    const n = stored(before, await counts());
    recordSecurityRow({ area: 'bus', scenario: 'anonymous client connects and requests a run', expected: 'connection refused', happened: outcome, lost: 0, duplicated: n, clobbered: 0 });
    expect(outcome).toMatch(/^refused: .*Authorization Violation/i);
    expect(n).toBe(0);
  });

  it("the transformer's user cannot publish pipeline.run or pipeline.file.discovered: the server refuses, nothing is stored", async () => {
    const nc = await as('transformer');
    const before = await counts();
    const run = await tryPublish(nc, SUBJECTS.run, JSON.stringify({ intent: 'reprocess', runId: 'forged-run' }));
    const work = await tryPublish(nc, SUBJECTS.fileDiscovered, JSON.stringify({ runId: 'no-such-run', dataset: 'green', month: '2024-01' }));
    await nc.flush();
    const n = stored(before, await counts());
    recordSecurityRow({
      area: 'bus',
      scenario: "transformer's user publishes pipeline.run and forged work (pipeline.file.discovered)",
      expected: 'permissions violation, nothing stored',
      happened: `run: ${run}; work: ${work}; ${n} message(s) stored`,
      lost: 0,
      duplicated: n,
      clobbered: 0,
    });
    expect(run).toMatch(/Permissions Violation for Publish to "pipeline\.run"/);
    expect(work).toMatch(/Permissions Violation for Publish to "pipeline\.file\.discovered"/);
    expect(n).toBe(0);
  });

  it('no role but the scanner publishes work, and none but the scanner may change or delete a stream or consumer', async () => {
    const attempts: Array<[BusRole, string]> = [
      ['operator', SUBJECTS.fileDiscovered],
      ['capacity-manager', SUBJECTS.fileDiscovered],
      ['capacity-manager', 'pipeline.event.file.some-run'],
      ['transformer', 'pipeline.event.run.some-run'],
      ['transformer', `$JS.API.STREAM.UPDATE.${STREAMS.work}`],
      ['transformer', `$JS.API.STREAM.DELETE.${STREAMS.work}`],
      ['transformer', `$JS.API.CONSUMER.CREATE.${DURABLES.transformers.stream}.${DURABLES.transformers.consumer}`],
      ['operator', `$JS.API.STREAM.DELETE.${STREAMS.events}`],
      ['operator', `$JS.API.STREAM.PURGE.${STREAMS.work}`],
      ['transformer', '$KV.sluice_runs.active'],
    ];
    const workConfig = JSON.stringify((await h.jsm.streams.info(STREAMS.work)).config);
    const consumer = JSON.stringify((await h.jsm.consumers.info(DURABLES.transformers.stream, DURABLES.transformers.consumer)).config);
    const before = await counts();
    const outcomes: string[] = [];
    for (const [role, subject] of attempts) {
      const nc = await as(role);
      const body = subject.startsWith('$JS.API.') ? JSON.stringify({ name: STREAMS.work, subjects: ['>'], max_deliver: -1 }) : '{}';
      const outcome = subject.startsWith('$JS.API.')
        ? await nc.request(subject, body, { timeout: 5_000 }).then(() => 'answered', (e: Error) => e.message)
        : await tryPublish(nc, subject, body);
      outcomes.push(`${role} → ${subject}: ${/Permissions Violation/.test(outcome) ? 'refused' : outcome}`);
    }
    const n = stored(before, await counts());
    const changed =
      Number(JSON.stringify((await h.jsm.streams.info(STREAMS.work)).config) !== workConfig) +
      Number(JSON.stringify((await h.jsm.consumers.info(DURABLES.transformers.stream, DURABLES.transformers.consumer)).config) !== consumer);
    recordSecurityRow({
      area: 'bus',
      scenario: 'operator/capacity manager publish work; a transformer changes, deletes or re-creates the work stream or its consumer, or writes the run lock',
      expected: 'every attempt refused; stream and consumer config unchanged',
      happened: `${outcomes.filter((o) => o.endsWith('refused')).length}/${attempts.length} refused; ${n} stored; ${changed} config(s) changed`,
      lost: 0,
      duplicated: n,
      clobbered: changed,
    });
    expect(outcomes.filter((o) => !o.endsWith('refused'))).toEqual([]);
    expect(n).toBe(0);
    expect(changed).toBe(0);
  });

  it('the observer cannot publish anything nor cancel a run, but can read the status', async () => {
    const planned = await h.run({ intent: 'incremental', runId: 'observed-1', months: ['1999-01'] }); // no file: done without workers
    // The `completed` event follows the final state: count the streams only once the scanner is done with this run.
    await waitFor(
      async () => {
        const last = await h.jsm.streams.getMessage(STREAMS.events, { last_by_subj: 'pipeline.event.run.observed-1' }).catch(() => undefined);
        return last?.json<{ type: string }>().type === 'completed';
      },
      { what: 'the completed event of observed-1' },
    );
    const seed = h.bus!.seedFiles.observer;
    const cli = (...args: string[]) =>
      exec(process.execPath, [appEntry('cli'), ...args], { env: { PATH: process.env.PATH, NATS_URL: h.nats.url, NATS_NKEY_SEED_FILE: seed } }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const before = await counts();
    const cancel = await cli('cancel', 'observed-1');
    const nc = await as('observer');
    const others = await Promise.all(
      [SUBJECTS.run, SUBJECTS.cancel, 'pipeline.event.run.observed-1', 'pipeline.dlq.pipeline.run', '$KV.sluice_runs.active'].map((s) => tryPublish(nc, s)),
    );
    const status = await cli('status', 'observed-1');
    const n = stored(before, await counts());
    const after = await h.runs.get('observed-1');
    const clobbered = Number(after?.state !== planned.state);
    recordSecurityRow({
      area: 'bus',
      scenario: 'observer cancels a run and publishes run requests, events, dead letters and the run lock',
      expected: 'every publish refused; status still readable',
      happened: `cancel exit ${cancel.code}; ${others.filter((o) => /Permissions Violation/.test(o)).length}/${others.length} publishes refused; status exit ${status.code}; ${n} stored`,
      lost: 0,
      duplicated: n,
      clobbered,
    });
    expect(cancel.code).toBe(1);
    expect(cancel.out).toMatch(/Permissions Violation for Publish to "pipeline\.cancel"/);
    for (const o of others) expect(o).toMatch(/Permissions Violation/);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/run observed-1 \(incremental\): succeeded/);
    expect(n).toBe(0);
    expect(clobbered).toBe(0);
  });

  it('no client may publish on $JS.EVENT.> (a forged max-deliveries advisory would fail a healthy file)', async () => {
    const admin = h.nc;
    const seen: string[] = [];
    const sub = admin.subscribe('$JS.EVENT.ADVISORY.CONSUMER.>', { callback: (e, m) => void (e ? undefined : seen.push(m.subject)) });
    const refused: string[] = [];
    for (const role of BUS_ROLES) {
      const nc = await as(role);
      for (const subject of WORK_ADVISORY_SUBJECTS) if (await corePublishRefused(nc, subject)) refused.push(`${role} ${subject}`);
      await tryPublish(nc, WORK_ADVISORY_SUBJECTS[0]);
    }
    await admin.flush();
    sub.unsubscribe();
    const forged = seen.filter((s) => (WORK_ADVISORY_SUBJECTS as readonly string[]).includes(s)).length;
    recordSecurityRow({
      area: 'bus',
      scenario: 'every role publishes a forged MAX_DELIVERIES / MSG_TERMINATED advisory for the work consumer',
      expected: 'refused for every role; no advisory delivered',
      happened: `${refused.length}/${BUS_ROLES.length * WORK_ADVISORY_SUBJECTS.length} refused; ${forged} forged advisory(ies) delivered`,
      lost: 0,
      duplicated: forged,
      clobbered: 0,
    });
    expect(refused).toHaveLength(BUS_ROLES.length * WORK_ADVISORY_SUBJECTS.length);
    expect(forged).toBe(0);
  });

  it("a role cannot subscribe to another role's inbox, so it cannot read the scanner's replies", async () => {
    const nc = await as('transformer');
    const scannerInbox = `${inboxPrefixFor(h.bus!.publicKeys.scanner)}.>`;
    let received = 0;
    const sub = nc.subscribe(scannerInbox, { callback: (error) => void (received += error ? 0 : 1) });
    const closed = await Promise.race([sub.closed.then((e) => (e ? String(e) : 'closed')), new Promise<string>((r) => setTimeout(() => r('still open'), 5_000))]);
    h.nc.publish(`${inboxPrefixFor(h.bus!.publicKeys.scanner)}.probe`, 'a reply meant for the scanner');
    await h.nc.flush();
    await nc.flush();
    const defaultInbox = nc.subscribe('_INBOX.>');
    const closedDefault = await Promise.race([defaultInbox.closed.then((e) => (e ? String(e) : 'closed')), new Promise<string>((r) => setTimeout(() => r('still open'), 5_000))]);
    recordSecurityRow({
      area: 'bus',
      scenario: "transformer subscribes to the scanner's inbox (and to every `_INBOX.>`)",
      expected: 'both subscriptions refused; no reply read',
      happened: `scanner inbox: ${closed}; _INBOX.>: ${closedDefault}; ${received} message(s) read`,
      lost: 0,
      duplicated: received,
      clobbered: 0,
    });
    expect(closed).toMatch(/Permissions Violation for Subscription/);
    expect(closedDefault).toMatch(/Permissions Violation for Subscription/);
    expect(received).toBe(0);
  });

  it('oversize messages are refused by the EVENTS and DLQ streams themselves', async () => {
    const before = await counts();
    const event = await tryPublish(h.nc, 'pipeline.event.run.big', JSON.stringify({ pad: 'x'.repeat(300 * 1024) }));
    const letter = await tryPublish(h.nc, 'pipeline.dlq.pipeline.run', JSON.stringify({ pad: 'x'.repeat(100 * 1024) }));
    const n = stored(before, await counts());
    recordSecurityRow({
      area: 'bus',
      scenario: 'a 300 KiB event and a 100 KiB dead letter (a client filling the disk)',
      expected: 'refused by the stream (its max_msg_size)',
      happened: `event: ${event}; dead letter: ${letter}; ${n} stored`,
      lost: 0,
      duplicated: n,
      clobbered: 0,
    });
    expect(event).toMatch(/message size exceeds maximum/i);
    expect(letter).toMatch(/message size exceeds maximum/i);
    expect(n).toBe(0);
  });

  it('a flood of pipeline.plan requests: one source listing at a time, the rest answered busy at once', async () => {
    // Every listing of the source stalls, so the first plan is still listing while the flood arrives.
    proxy.add({ method: 'GET', path: /^\/tlc-source\/?$/, fault: FAULTS.stall });
    const nc = await as('operator');
    const request = JSON.stringify({ intent: 'reprocess' });
    const started = Date.now();
    const first = nc.request(SUBJECTS.plan, request, { timeout: 60_000 }).then((m) => PlanReplySchema.parse(m.json()));
    await waitFor(() => proxy.injected.length > 0, { what: 'the first plan listing the source' });
    const flood = await Promise.all(
      Array.from({ length: 20 }, () =>
        nc.request(SUBJECTS.plan, request, { timeout: 3_000 }).then(
          (m) => PlanReplySchema.parse(m.json()),
          (e: Error) => ({ ok: false, code: 'no_answer', error: e.message }) as PlanReply,
        ),
      ),
    );
    const floodMs = Date.now() - started;
    const listings = proxy.injected.length;
    const busy = flood.filter((r) => !r.ok && r.code === 'busy').length;
    proxy.clear();
    const firstReply = await first; // the stalled listing times out, is retried unstalled, and the plan completes
    const after = PlanReplySchema.parse((await nc.request(SUBJECTS.plan, request, { timeout: 60_000 })).json());
    recordSecurityRow({
      area: 'bus',
      scenario: '20 pipeline.plan requests while one plan is listing the source',
      expected: 'one listing at a time; the others answered busy at once; planning works again after',
      happened: `${listings} listing(s) started; ${busy}/20 answered busy in ${floodMs} ms; first plan ok=${firstReply.ok}; next plan ok=${after.ok}`,
      lost: 0,
      duplicated: Math.max(0, listings - 1),
      clobbered: 0,
    });
    expect(listings).toBe(1);
    expect(busy).toBe(20);
    expect(firstReply.ok).toBe(true);
    expect(after.ok).toBe(true);
  });

  it("a plan request naming a JetStream API call or a KV key as its reply subject gets no answer there", async () => {
    // The scanner answers pipeline.plan into the reply subject the requester chose: with allow_responses it could
    // publish anywhere, with its own rights (delete a stream, overwrite the run lock).
    const nc = await as('operator');
    const lockBefore = await h.runs.activeLock();
    const targets = [`$JS.API.STREAM.DELETE.${STREAMS.work}`, `$JS.API.STREAM.DELETE.KV_sluice_runs`, '$KV.sluice_runs.active', SUBJECTS.run];
    for (const reply of targets) nc.publish(SUBJECTS.plan, JSON.stringify({ intent: 'incremental' }), { reply });
    await nc.flush();
    const log = join(h.logDir, 'scanner.log');
    const ignored = () => readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('plan request ignored')).length;
    await waitFor(() => ignored() >= targets.length, { what: 'the scanner to ignore the four requests' });
    const streamsLeft = await Promise.all([STREAMS.work, 'KV_sluice_runs'].map((s) => h.jsm.streams.info(s).then(() => true, () => false)));
    const lockAfter = await h.runs.activeLock();
    const clobbered = streamsLeft.filter((ok) => !ok).length + Number(JSON.stringify(lockAfter) !== JSON.stringify(lockBefore));
    recordSecurityRow({
      area: 'bus',
      scenario: 'the operator sends pipeline.plan with reply subjects $JS.API.STREAM.DELETE.PIPELINE_WORK, …DELETE.KV_sluice_runs, $KV.sluice_runs.active, pipeline.run',
      expected: 'not answered there (only inboxes are answered, and the scanner may publish only into the operator\'s inbox)',
      happened: `${ignored()} ignored; streams still there: ${streamsLeft.filter(Boolean).length}/2; lock unchanged: ${JSON.stringify(lockAfter) === JSON.stringify(lockBefore)}`,
      lost: 0,
      duplicated: 0,
      clobbered,
    });
    expect(clobbered).toBe(0);
    // and an ordinary request is still answered
    const reply = PlanReplySchema.parse((await nc.request(SUBJECTS.plan, JSON.stringify({ intent: 'incremental' }), { timeout: 60_000 })).json());
    expect(reply.ok).toBe(true);
  });
});

describe('the demo', () => {
  let demo: DemoEnvironment | undefined;
  afterAll(async () => {
    await demo?.stop();
  });

  it('starts with auth; the CLI works with the operator seed it prints, and not without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-demo-bus-'));
    const said: string[] = [];
    demo = await startDemoEnvironment({ dir, files: 1, rows: 2_000, firstMonth: '2024-01', maxWorkers: 1, idleTimeoutMs: 1_000 }, (l) => said.push(l));
    const operator = demo.natsEnv('operator');
    const hint = said.find((l) => l.includes('NATS_NKEY_SEED_FILE='));
    const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
      exec(process.execPath, [appEntry('cli'), ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 120_000 }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const anonymous = await connect({ servers: demo.nats.url, reconnect: false }).then(
      (nc) => nc.close().then(() => 'connected'),
      (e: Error) => e.message,
    );
    const without = await cli({ NATS_URL: operator.NATS_URL }, 'status');
    // The whole path with the printed credentials: the scanner plans, the manager starts a worker as a transformer.
    const run = await cli(operator, 'run', '--intent', 'test_subset', '--limit', '1', '--wait', '--run-id', 'demo-bus');
    const status = await cli(operator, 'status', 'demo-bus');
    const modes = BUS_ROLES.map((r) => statSync(demo!.bus.seedFiles[r]).mode & 0o777);
    recordSecurityRow({
      area: 'bus',
      scenario: 'the demo: anonymous client, CLI without credentials, CLI with the operator seed it prints',
      expected: 'anonymous and credential-less refused; with the seed, a run succeeds',
      happened: `anonymous: ${anonymous}; without seed: exit ${without.code}; run with seed: exit ${run.code}; status: exit ${status.code}`,
      lost: 0,
      duplicated: 0,
      clobbered: Number(anonymous === 'connected') + Number(without.code === 0),
    });
    expect(hint).toContain(cliHint(operator));
    expect(anonymous).toMatch(/Authorization Violation/i);
    expect(without.code).toBe(1);
    expect(without.out).toMatch(/cannot connect to NATS at .*Authorization Violation/i);
    expect(run.code, run.out).toBe(0);
    expect(status.out).toMatch(/run demo-bus \(test_subset\): succeeded/);
    expect(modes).toEqual(BUS_ROLES.map(() => 0o600));
  });
});
