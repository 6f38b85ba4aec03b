// A whole sluice deployment for one test file: nats-server, the S3-compatible server, source and sink buckets,
// and the built services as child processes — the same entry points `npm run demo` and an image run.
// By default the bus is authenticated as in production: each service connects as its role's nkey user, with the
// permissions of libs/contracts/src/bus-permissions.ts, so every test that runs services proves they suffice. The
// test's own connection is a test-only admin user (it forges messages and inspects every stream).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createUser } from '@nats-io/nkeys';
import { connect, nkeyAuthenticator, type ConnectionOptions, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  CapacityEventSchema,
  CONTRACT_VERSION,
  DURABLES,
  FileEventSchema,
  RunEventSchema,
  KV,
  STREAMS,
  SUBJECTS,
  type CapacityEvent,
  type DeadLetter,
  type FileDiscovered,
  type FileEvent,
  type Manifest,
  type RunEvent,
  type RunRecord,
  type BusRole,
} from '@sluice/contracts';
import { loadEnv, workQueueEnv } from '@sluice/config';
import { startServiceProcess, type EmbeddedNatsCluster, type ServiceProcess, type SluiceApp } from '@sluice/embedded';
import { ensureBusCredentials, ensureTopology, Publisher, topologyOptionsOf, type BusCredentials } from '@sluice/messaging';
import { RunWriter } from '@sluice/run-state/writer';
import { openObjectStore, readManifests, type ObjectStore } from '@sluice/storage';
import { z } from 'zod';
import { readDeadLetters } from '../../apps/cli/src/dead-letters';
import { requestRun, runAndFollow, type IdentifiedRunRequest } from '../../apps/cli/src/run-and-follow';
import { startS3FaultProxy, type S3FaultProxy } from './s3-fault-proxy';
import { startTestNats, startTestNatsCluster, startTestS3, type S3KeyPair, type TestNats, type TestS3 } from './servers';
import { waitFor } from './wait-for';

export const SOURCE_BUCKET = 'tlc-source';
export const SINK_BUCKET = 'sluice-sink';
export const SOURCE_PREFIX = 'trip data/';

export interface PipelineHarness {
  /** The server; with the natsCluster option, the cluster as one (its url lists every node). */
  nats: TestNats;
  /** With the natsCluster option: the cluster's nodes, to find and kill one. */
  natsCluster?: EmbeddedNatsCluster;
  s3: TestS3;
  nc: NatsConnection;
  jsm: JetStreamManager;
  runs: RunWriter;
  source: ObjectStore;
  sink: ObjectStore;
  testSink: ObjectStore;
  /** The services' environment, without NATS credentials: see envFor(). */
  env: NodeJS.ProcessEnv;
  /** The role seeds and the server's rendered config (absent when the test gave its own natsConfig). */
  bus?: BusCredentials;
  /** NATS credentials of a role (`cli` is the operator): `{ NATS_NKEY_SEED_FILE }`, or nothing with a custom natsConfig. */
  credentials(who: SluiceApp | BusRole): NodeJS.ProcessEnv;
  /** `env` plus that role's credentials: what a service process of that role is started with. */
  envFor(who: SluiceApp | BusRole): NodeJS.ProcessEnv;
  /** A minimal environment for the CLI as an operator runs it: PATH, NATS_URL and the operator's credentials. */
  cliEnv(): NodeJS.ProcessEnv;
  logDir: string;
  services: Map<SluiceApp, ServiceProcess>;
  capacityEvents: CapacityEvent[];
  fileEvents: FileEvent[];
  runEvents: RunEvent[];
  /** With the s3FaultProxy option: the proxy the services reach S3 through (the test's own stores go direct). */
  proxy?: S3FaultProxy;
  startService(app: SluiceApp, extraEnv?: NodeJS.ProcessEnv): Promise<ServiceProcess>;
  /** Publishes `pipeline.run` (with its Msg-Id) and returns at once. */
  requestRun(request: IdentifiedRunRequest): Promise<void>;
  /** Publishes `pipeline.run` and follows the run as `sluice run --wait` does until it is final; returns its record. */
  run(request: IdentifiedRunRequest, timeoutMs?: number): Promise<RunRecord>;
  manifests(store?: ObjectStore): Promise<Manifest[]>;
  deadLetters(): Promise<DeadLetter[]>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * nats-server configuration (authorization, tls, …) for this harness's server, instead of the per-role nkey
   * users; the services then get only `env`'s credentials, and the test's connection `client`'s.
   */
  natsConfig?: string;
  /** How the test's own connection authenticates to that server. */
  client?: Partial<ConnectionOptions>;
  /** The key pair the S3 server accepts, and the services and the test use (default: the server's test key). */
  s3Credentials?: S3KeyPair;
  /** The services reach S3 through a fault-injecting proxy (`h.proxy`), for tests that make S3 fail or stall. */
  s3FaultProxy?: boolean;
  /**
   * A JetStream cluster of this many nats-servers instead of one, every node with the same configuration (the role
   * users, or natsConfig); the services get every node in NATS_URL. Set NATS_REPLICAS in `env` to replicate.
   */
  natsCluster?: number;
}

const ROLE_OF: Record<SluiceApp, BusRole> = { scanner: 'scanner', transformer: 'transformer', 'capacity-manager': 'capacity-manager', cli: 'operator' };
const roleOf = (who: SluiceApp | BusRole): BusRole => (who in ROLE_OF ? ROLE_OF[who as SluiceApp] : (who as BusRole));

/** The role users and a test-only admin (every subject) for the test's own connection. */
function testBus(): { bus: BusCredentials; client: Partial<ConnectionOptions> } {
  const admin = createUser();
  const bus = ensureBusCredentials(mkdtempSync(join(tmpdir(), 'sluice-bus-')), [
    { comment: 'test-only admin: the test connection', publicKey: admin.getPublicKey(), permissions: { publish: ['>'], subscribe: ['>'], allowResponses: false } },
  ]);
  return { bus, client: { authenticator: nkeyAuthenticator(admin.getSeed()) } };
}

export async function startPipelineHarness(opts: HarnessOptions = {}): Promise<PipelineHarness> {
  const secured = opts.natsConfig === undefined ? testBus() : undefined;
  const natsConfig = opts.natsConfig ?? readFileSync(secured!.bus.configFile, 'utf8');
  const { nats, cluster: natsCluster } = opts.natsCluster
    ? await startTestNatsCluster(opts.natsCluster, natsConfig)
    : { nats: await startTestNats(natsConfig), cluster: undefined };
  const bus = secured?.bus;
  const s3 = await startTestS3([SOURCE_BUCKET, SINK_BUCKET], opts.s3Credentials);
  const proxy = opts.s3FaultProxy ? await startS3FaultProxy(s3.endpoint) : undefined;
  const logDir = mkdtempSync(join(tmpdir(), 'sluice-logs-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NATS_URL: nats.url,
    SOURCE_URL: `s3://${SOURCE_BUCKET}/${SOURCE_PREFIX}`,
    SINK_URL: `s3://${SINK_BUCKET}`,
    S3_ENDPOINT: proxy?.endpoint ?? s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    HTTP_PORT: '0',
    WORKERS_MAX: '2',
    FILES_PER_WORKER: '1',
    IDLE_TIMEOUT_MS: '1500',
    POLL_INTERVAL_MS: '300',
    ROW_GROUP_ROWS: '4000',
    DRAIN_TIMEOUT_MS: '10000',
    WORKER_KILL_AFTER_MS: '25000',
    ...opts.env,
  };
  const nc = await connect({ servers: nats.url.split(','), ...(secured?.client ?? opts.client) });
  const credentials = (who: SluiceApp | BusRole): NodeJS.ProcessEnv => {
    if (!bus) return {};
    const role = roleOf(who);
    // The manager's local workers connect as transformers, with their own seed.
    const workers = role === 'capacity-manager' ? { WORKER_NATS_NKEY_SEED_FILE: bus.seedFiles.transformer } : {};
    return { NATS_NKEY_SEED_FILE: bus.seedFiles[role], ...workers };
  };
  const services = new Map<SluiceApp, ServiceProcess>();
  const capacityEvents: CapacityEvent[] = [];
  const fileEvents: FileEvent[] = [];
  const runEvents: RunEvent[] = [];
  const subs: Subscription[] = [
    nc.subscribe(SUBJECTS.capacityEvent, {
      // safeParse: a throw inside a nats.js callback would stall the whole connection (poison tests send garbage).
      callback: (_e, m) => {
        const parsed = CapacityEventSchema.safeParse(safeJson(m.data));
        if (parsed.success) capacityEvents.push(parsed.data);
      },
    }),
    nc.subscribe(SUBJECTS.fileEvents, {
      callback: (_e, m) => {
        const parsed = FileEventSchema.safeParse(safeJson(m.data));
        if (parsed.success) fileEvents.push(parsed.data);
      },
    }),
    nc.subscribe(SUBJECTS.runEvents, {
      callback: (_e, m) => {
        const parsed = RunEventSchema.safeParse(safeJson(m.data));
        if (parsed.success) runEvents.push(parsed.data);
      },
    }),
  ];
  const jsm = await jetstreamManager(nc);
  const s3Options = s3.connection;
  // The source bucket always exists; a test may point SOURCE_URL elsewhere (an HTTPS server).
  const source = openObjectStore(`s3://${SOURCE_BUCKET}/${SOURCE_PREFIX}`, s3Options);
  const sink = openObjectStore(env.SINK_URL!, s3Options);
  const testSink = openObjectStore(`${env.SINK_URL}/_test`, s3Options);
  let runs: RunWriter | undefined;
  const runStore = async () => (runs ??= new RunWriter(await new Kvm(nc).open(KV.runsBucket)));

  const harness: PipelineHarness = {
    nats,
    natsCluster,
    s3,
    nc,
    jsm,
    get runs() {
      if (!runs) throw new Error('no service has created the runs bucket yet');
      return runs;
    },
    source,
    sink,
    testSink,
    env,
    bus,
    credentials,
    envFor: (who) => ({ ...env, ...credentials(who) }),
    cliEnv: () => ({ PATH: process.env.PATH, NATS_URL: nats.url, ...credentials('operator') }),
    logDir,
    services,
    capacityEvents,
    fileEvents,
    runEvents,
    proxy,
    async startService(app, extraEnv = {}) {
      const logFile = join(logDir, `${app}.log`);
      const serviceEnv = { ...env, ...credentials(app), ...extraEnv };
      // Only the scanner's user may declare the topology, and tests start a transformer alone: the harness declares
      // it first as a deployment's setup step would, with that service's settings (as its ensureTopology once did).
      if (app !== 'scanner') await ensureTopology(nc, topologyOptionsOf(loadEnv(z.object(workQueueEnv), serviceEnv)));
      const service = startServiceProcess(app, { env: serviceEnv, logFile });
      services.set(app, service);
      // Ready = pulling: its pull requests are waiting on its consumer (the topology exists by then).
      const pulls = { scanner: DURABLES.scanner, transformer: DURABLES.transformers } as const;
      if (app === 'scanner' || app === 'transformer') {
        const { stream, consumer } = pulls[app];
        await waitFor(async () => (await jsm.consumers.info(stream, consumer)).num_waiting > 0, {
          what: `the ${app} pulling (log: ${logFile})`,
          timeoutMs: 30_000,
        });
        await runStore();
      }
      return service;
    },
    requestRun: (request) => requestRun({ publisher: new Publisher(nc) }, request),
    async run(request, timeoutMs = 90_000) {
      const store = await runStore();
      const outcome = await runAndFollow({ nc, runs: store, publisher: new Publisher(nc) }, request, { timeoutMs }).catch(async (error: Error) => {
        const last = await store.get(request.runId).catch(() => undefined);
        const seen = last ? `last seen ${last.state}, ${last.done} done, ${last.failed} failed, ${last.skipped} skipped of ${last.total}` : 'no run record';
        throw new Error(`${error.message}; ${seen} (logs: ${logDir})`);
      });
      if (outcome.state === 'rejected') throw new Error(`run ${request.runId} rejected: ${outcome.reason} (logs: ${logDir})`);
      return outcome.record;
    },
    manifests: (store = sink) => readManifests(store),
    async deadLetters() {
      if (!(await jsm.streams.info(STREAMS.dlq).catch(() => undefined))) return []; // no topology declared yet
      const { letters, unreadable } = await readDeadLetters(jsm);
      // Every test's DLQ holds only what sluice parked: anything else is a finding, never skipped.
      if (unreadable.length) throw new Error(`DLQ messages ${unreadable.join(', ')} are not dead letters sluice wrote`);
      return letters.map((l) => l.letter);
    },
    async stop() {
      subs.forEach((s) => s.unsubscribe());
      await Promise.all([...services.values()].map((s) => s.stop(30_000)));
      await nc.close();
      await proxy?.stop();
      await s3.stop();
      await nats.stop();
    },
  };
  return harness;
}

/**
 * Publishes one fhvhv work message for a source file already in the harness's source bucket, as the scanner
 * would (its current ETag and size), for tests that drive the transformer alone.
 */
export async function publishWork(h: PipelineHarness, runId: string, month: string, key = `fhvhv_tripdata_${month}.parquet`): Promise<FileDiscovered> {
  const info = await h.source.head(key);
  if (!info) throw new Error(`no source ${key} in the harness's source bucket`);
  const msg: FileDiscovered = {
    v: CONTRACT_VERSION,
    runId,
    dataset: 'fhvhv',
    month,
    source: { key, etag: info.etag, size: info.size },
    target: 'production',
    reason: 'new',
  };
  await planWork(h, msg);
  await new Publisher(h.nc).work(msg);
  return msg;
}

/**
 * Writes into the run record what the scanner would have planned for this work (a running run with the file queued,
 * created if needed), for tests that drive the transformer alone: workers refuse work their run did not plan.
 */
export async function planWork(h: PipelineHarness, msg: FileDiscovered): Promise<void> {
  const file = { dataset: msg.dataset, month: msg.month, source: msg.source, reason: msg.reason, status: 'queued' as const };
  const now = new Date().toISOString();
  const listing = { url: h.source.url, candidates: 1, found: 1, absent: 0, unknown: [], complete: true };
  const created = await h.runs.create({
    runId: msg.runId, intent: 'incremental', state: 'running', target: msg.target, filters: {},
    ...(msg.maxDropFraction !== undefined ? { options: { maxDropFraction: msg.maxDropFraction } } : {}),
    source: h.source.url, sourceListing: listing, sink: h.sink.url, candidates: 1, total: 1, done: 0, failed: 0, skipped: 0,
    orphansRemoved: [], files: { [msg.source.key]: file }, requestedAt: now, startedAt: now, lastProgressAt: now,
  });
  if (created) return;
  await h.runs.update(msg.runId, (r) => {
    const isNew = !Object.hasOwn(r.files, msg.source.key);
    return { ...r, total: r.total + (isNew ? 1 : 0), candidates: r.candidates + (isNew ? 1 : 0), files: { ...r.files, [msg.source.key]: file } };
  });
}

/** The first file event of this type for runId/month, waiting up to a minute for it. */
export function fileEventFor(h: PipelineHarness, runId: string, month: string, type: FileEvent['type']): Promise<FileEvent> {
  return waitFor(() => h.fileEvents.find((e) => e.runId === runId && e.month === month && e.type === type), {
    what: `${type} event for ${runId}/${month}`,
    timeoutMs: 60_000,
  });
}

/** The failure code each bad-file kind of `generateBadFile` must get (a zero-row file is valid: not listed). */
export const BAD_FILE_CODES: Record<string, RegExp> = {
  empty: /^empty$/,
  truncated: /^truncated$/,
  html: /^not_parquet$/,
  's3-xml-error': /^not_parquet$/,
  'wrong-magic': /^not_parquet$/,
  'foreign-schema': /^missing_column$/,
  'corrupt-pages': /^corrupt$/,
  'git-lfs-pointer': /^not_parquet$/,
  'curl-include': /^not_parquet$/,
};

/** Writes bytes to a temp file (for readers that want a path). */
export function tempFile(bytes: Uint8Array, name = 'file.parquet'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-t-')), name);
  writeFileSync(path, bytes);
  return path;
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
}
