// Everything `sluice demo` runs locally: nats-server (temp store, one nkey user per role), the S3-compatible server,
// generated TLC-like source files, and the scanner and capacity manager as child processes (which start
// transformers on demand), each connecting as its own role.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { DURABLES, tlcFileName, type BusRole } from '@sluice/contracts';
import { startNatsServer, startS3Server, startServiceProcess, type EmbeddedNats, type EmbeddedS3, type ServiceProcess } from '@sluice/embedded';
import { generateFhvhvParquet, generateFhvParquet, generateGreenParquet, generateYellowParquet } from '@sluice/normalize/synthetic';
import { connectNats, ensureBusCredentials, type BusCredentials } from '@sluice/messaging';
import { openObjectStore, type ObjectStore } from '@sluice/storage';
import { nextMonth } from '../months';

export const DEMO_SOURCE_BUCKET = 'tlc-source';
export const DEMO_SINK_BUCKET = 'sluice-sink';
/** The real bucket's folder has a space in it; so does the demo's, to keep key encoding honest. */
export const DEMO_SOURCE_PREFIX = 'trip data/';

export interface DemoOptions {
  dir: string;
  files: number;
  rows: number;
  firstMonth: string;
  maxWorkers: number;
  idleTimeoutMs: number;
}

export interface DemoEnvironment {
  nats: EmbeddedNats;
  /** The role seeds (under `<dir>/nats/`) and the server's authorization. */
  bus: BusCredentials;
  /** How a client connects as `role`: NATS_URL and its seed file. */
  natsEnv(role: BusRole): { NATS_URL: string; NATS_NKEY_SEED_FILE: string };
  s3: EmbeddedS3;
  source: ObjectStore;
  sink: ObjectStore;
  serviceEnv: NodeJS.ProcessEnv;
  services: ServiceProcess[];
  logDir: string;
  stop(): Promise<void>;
}

export async function startDemoEnvironment(opts: DemoOptions, say: (line: string) => void): Promise<DemoEnvironment> {
  const logDir = join(opts.dir, 'logs');
  mkdirSync(logDir, { recursive: true });

  // Seeds are kept across demos in the same dir; the server gets only the public keys.
  const bus = ensureBusCredentials(join(opts.dir, 'nats'));
  const nats = await startNatsServer({ args: ['-c', bus.configFile] });
  const natsEnv = (role: BusRole) => ({ NATS_URL: nats.url, NATS_NKEY_SEED_FILE: bus.seedFiles[role] });
  say(`nats-server with JetStream on ${nats.url} (store ${nats.storeDir}), one nkey user per role (seeds in ${bus.dir})`);
  const s3 = await startS3Server({ buckets: [DEMO_SOURCE_BUCKET, DEMO_SINK_BUCKET] });
  say(`S3-compatible server on ${s3.endpoint} (buckets ${DEMO_SOURCE_BUCKET}, ${DEMO_SINK_BUCKET})`);

  const s3Options = { endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true };
  const source = openObjectStore(`s3://${DEMO_SOURCE_BUCKET}/${DEMO_SOURCE_PREFIX}`, s3Options);
  const sink = openObjectStore(`s3://${DEMO_SINK_BUCKET}`, s3Options);

  let month = opts.firstMonth;
  for (let i = 0; i < opts.files; i += 1, month = nextMonth(month)) {
    const bytes = generateFhvhvParquet({ month, rows: opts.rows, seed: i + 1, invalidFraction: 0.005, compression: 'snappy' });
    await source.put(tlcFileName('fhvhv', month), bytes, { contentType: 'application/vnd.apache.parquet' });
  }
  // One month of each other dataset, smaller, so the demo shows every canonical schema.
  const others = Math.max(1_000, Math.floor(opts.rows / 4));
  await source.put(tlcFileName('yellow', opts.firstMonth), generateYellowParquet({ month: opts.firstMonth, rows: others, seed: 101 }));
  await source.put(tlcFileName('green', opts.firstMonth), generateGreenParquet({ month: opts.firstMonth, rows: others, seed: 102 }));
  await source.put(tlcFileName('fhv', opts.firstMonth), generateFhvParquet({ month: opts.firstMonth, rows: others, seed: 103 }));
  say(
    `generated ${opts.files} fhvhv file(s) of ${opts.rows.toLocaleString('en-US')} rows, and one yellow, green and fhv file of ` +
      `${others.toLocaleString('en-US')} rows, into ${source.url}`,
  );

  const serviceEnv: NodeJS.ProcessEnv = {
    ...withoutNatsCredentials(process.env),
    NATS_URL: nats.url,
    SOURCE_URL: `s3://${DEMO_SOURCE_BUCKET}/${DEMO_SOURCE_PREFIX}`,
    SINK_URL: `s3://${DEMO_SINK_BUCKET}`,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    HTTP_PORT: '0', // several services on one machine: no /health and /metrics ports in the demo
    WORKERS_MAX: String(opts.maxWorkers),
    FILES_PER_WORKER: '1',
    IDLE_TIMEOUT_MS: String(opts.idleTimeoutMs),
    POLL_INTERVAL_MS: '500',
    ROW_GROUP_ROWS: '100000',
    DRAIN_TIMEOUT_MS: '10000',
    WORKER_KILL_AFTER_MS: '25000',
  };
  const services = [
    startServiceProcess('scanner', { env: { ...serviceEnv, ...natsEnv('scanner') }, logFile: join(logDir, 'scanner.log') }),
    startServiceProcess('capacity-manager', {
      // Its local workers connect as transformers, with the transformer's seed.
      env: { ...serviceEnv, ...natsEnv('capacity-manager'), WORKER_NATS_NKEY_SEED_FILE: bus.seedFiles.transformer },
      logFile: join(logDir, 'capacity-manager.log'),
    }),
  ];
  await waitForPullers(natsEnv('observer'), services);
  say(`scanner and capacity manager running (local workers: 0..${opts.maxWorkers}, idle timeout ${opts.idleTimeoutMs / 1000}s); logs in ${logDir}`);
  say(`the CLI on this bus: ${cliHint(natsEnv('operator'))}`);

  return {
    nats,
    bus,
    natsEnv,
    s3,
    source,
    sink,
    serviceEnv,
    services,
    logDir,
    async stop() {
      await Promise.all(services.map((s) => s.stop(30_000)));
      await s3.stop();
      await nats.stop();
    },
  };
}

/** A command line a user can paste: the operator's credentials, paths relative to where they are. */
export function cliHint(env: { NATS_URL: string; NATS_NKEY_SEED_FILE: string }, cwd = process.cwd()): string {
  const seed = relative(cwd, env.NATS_NKEY_SEED_FILE);
  return `NATS_URL=${env.NATS_URL} NATS_NKEY_SEED_FILE=${seed.startsWith('..') ? env.NATS_NKEY_SEED_FILE : seed} npm run sluice -- status`;
}

/** The services connect as their role, whatever NATS credentials the user's shell has. */
export function withoutNatsCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const key of ['NATS_USER', 'NATS_PASSWORD', 'NATS_TOKEN', 'NATS_CREDS_FILE', 'NATS_NKEY_SEED', 'NATS_NKEY_SEED_FILE', 'WORKER_NATS_NKEY_SEED_FILE']) {
    delete clean[key];
  }
  return clean;
}

/** Ready = the scanner's consumers have pull requests waiting (it created the topology and is listening). */
async function waitForPullers(natsEnv: { NATS_URL: string; NATS_NKEY_SEED_FILE: string }, services: ServiceProcess[]): Promise<void> {
  const nc = await connectNats({ url: natsEnv.NATS_URL, nkeySeedFile: natsEnv.NATS_NKEY_SEED_FILE }, 'sluice-demo');
  try {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + 30_000;
    for (;;) {
      for (const s of services) {
        if (s.child.exitCode !== null) throw new Error(`${s.app} exited with code ${s.child.exitCode} during start-up; see its log`);
      }
      const info = await jsm.consumers.info(DURABLES.scanner.stream, DURABLES.scanner.consumer).catch(() => undefined);
      if (info && info.num_waiting > 0) return;
      if (Date.now() > deadline) throw new Error('services did not become ready within 30s; see the logs');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await nc.close();
  }
}
