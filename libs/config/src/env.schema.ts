// One zod schema per service, built from shared groups. Every key is documented in the README's config table.
import { Cron } from 'croner';
import { z } from 'zod';
import { natsUrlProblem, parseNatsServers } from './nats-url';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/**
 * When a rule across keys runs: whenever those keys parsed, whatever else failed. (zod skips an object's refinement
 * once any of its keys failed, so a bad key elsewhere would hide this one until the next start.)
 */
const whenParsed =
  (...keys: string[]) =>
  (payload: { issues: ReadonlyArray<{ path?: PropertyKey[] }> }): boolean =>
    !payload.issues.some((issue) => keys.includes(String(issue.path?.[0])));

const storeUrl = z
  .string()
  .regex(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|file:\/\/\/.*)$/, 'must be s3://bucket[/prefix] or file:///absolute/dir');

export const natsEnv = {
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_TOKEN: z.string().optional(),
  NATS_CREDS_FILE: z.string().optional(),
  /** A file holding an nkey seed (`SU…`), for nkey authentication without JWTs. */
  NATS_NKEY_SEED_FILE: z.string().optional(),
  /** The nkey seed itself, for platforms that inject secrets as environment (an ECS container secret); never plain config. */
  NATS_NKEY_SEED: z.string().optional(),
  NATS_TLS_CA_FILE: z.string().optional(),
  NATS_TLS_CERT_FILE: z.string().optional(),
  NATS_TLS_KEY_FILE: z.string().optional(),
};
const natsEnvSchema = z.object(natsEnv);
export type NatsEnv = z.infer<typeof natsEnvSchema>;

/** Settings that authenticate by themselves; credentials in NATS_URL may not be combined with them. */
const NATS_AUTH_KEYS = ['NATS_USER', 'NATS_TOKEN', 'NATS_CREDS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_NKEY_SEED'] as const;

/**
 * The NATS rules across keys, for every service that connects: credentials are given one way. The messages name
 * the keys, never a value (these are secrets).
 */
function withNatsRules<S extends z.ZodType<NatsEnv>>(schema: S): S {
  return schema
    .superRefine((e, ctx) => {
      const problem = natsUrlProblem(e.NATS_URL);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: ['NATS_URL'], message: problem });
        return;
      }
      if (parseNatsServers(e.NATS_URL).credentials === undefined) return;
      const alsoSet = NATS_AUTH_KEYS.filter((key) => e[key] !== undefined);
      if (alsoSet.length === 0) return;
      ctx.addIssue({
        code: 'custom',
        path: ['NATS_URL'],
        message: `carries credentials, and ${alsoSet.join(', ')} ${alsoSet.length > 1 ? 'are' : 'is'} set too; give them one way`,
      });
    }, { when: whenParsed('NATS_URL', ...NATS_AUTH_KEYS) })
    .refine((e) => e.NATS_NKEY_SEED === undefined || e.NATS_NKEY_SEED_FILE === undefined, {
      message: 'NATS_NKEY_SEED_FILE is set too; give the seed one way',
      path: ['NATS_NKEY_SEED'],
      when: whenParsed('NATS_NKEY_SEED', 'NATS_NKEY_SEED_FILE'),
    });
}

export const s3Env = {
  /** Endpoint override for S3-compatible servers (MinIO, the embedded demo server); unset on AWS. */
  S3_ENDPOINT: z
    .string()
    .url()
    // The SDK ignores user-info, and a URL is printed in places a key must never be: keys have their own variables.
    .refine((url) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url), 'must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY')
    .optional(),
  AWS_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: bool.optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_SESSION_TOKEN: z.string().optional(),
  /** Deadline of one S3 request (a stalled answer is retried after it). */
  S3_REQUEST_TIMEOUT_MS: int(500, 3_600_000).default(60_000),
};

/** Every service serves `/health` and `/metrics` (Prometheus) on this port; 0 turns the endpoint off. */
export const observabilityEnv = {
  HTTP_PORT: int(0, 65_535).default(8080),
};

/**
 * The scanner's and the capacity manager's key figures as CloudWatch metrics: Embedded Metric Format lines in the
 * JSON logs, which CloudWatch Logs extracts with no agent (the CDK stack turns it on). Needs JSON logs.
 */
export const metricsEnv = {
  METRICS_EMF: bool.default(false),
  /** How often the gauges (backlog age, DLQ depth, runs stuck) are written; CloudWatch keeps one-minute points. */
  METRICS_EMF_INTERVAL_MS: int(100, 3_600_000).default(60_000),
};

/** EMF lines are JSON documents; a pretty log would make them text CloudWatch cannot read. */
function withMetricsRules<S extends z.ZodType<{ METRICS_EMF: boolean; LOG_FORMAT?: 'json' | 'pretty' }>>(schema: S): S {
  return schema.refine((e) => !(e.METRICS_EMF && e.LOG_FORMAT === 'pretty'), {
    message: 'needs JSON logs: not with LOG_FORMAT=pretty',
    path: ['METRICS_EMF'],
    when: whenParsed('METRICS_EMF', 'LOG_FORMAT'),
  });
}

export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` for a terminal, `json` for production log collectors. Default: pretty on a TTY. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
};

const sourceUrl = z
  .string()
  .regex(
    /^(https?:\/\/[^\s/?#@]+\/[^\s?#]*|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|file:\/\/\/.*)$/,
    'must be https://host/path/, s3://bucket[/prefix] or file:///absolute/dir',
  );

/** `host`, `host:port`, or a bracketed IPv6 literal: what a redirect's target host is compared with. */
const HOST_ENTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:\d{1,5})?$/;
const hostList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const entries = (value ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
    for (const entry of entries) {
      if (!HOST_ENTRY.test(entry)) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name or host:port (no scheme, path or wildcard)`, input: value });
      }
    }
    return entries;
  });

/** The TLC's own distribution (CloudFront): files are found by name, read by HTTP Range. */
export const DEFAULT_SOURCE_URL = 'https://d37ci6vzurychx.cloudfront.net/trip-data/';

/**
 * A file whose quality rules drop more than this fraction of its rows fails as `quality_threshold` and commits
 * nothing. Real files drop little (DATA.md): fhvhv about 0.15 % to fares, miles and times together plus "a few %"
 * of location IDs outside 1..265 (the location rule drops them), green months 0.4-1.0 %. 10 % stays twice above
 * the worst of those, and far below what a wrong file drops: a file named for the wrong month loses ~100 % of its
 * rows to `pickup_outside_month`. `sluice run --max-drop-fraction` overrides it for one run.
 */
export const DEFAULT_MAX_DROP_FRACTION = 0.1;

/** A fraction 0..1 as an env value: `0.1`, `.05`, `1` (not coerced: an empty value must not become 0). */
const fraction = z
  .string()
  .regex(/^(0|1|0?\.\d+|1\.0*)$/, 'must be a fraction from 0 to 1, e.g. 0.1')
  .transform(Number);

export const pipelineEnv = {
  SOURCE_URL: sourceUrl.default(DEFAULT_SOURCE_URL),
  /** HTTPS sources: HEAD requests in flight while listing. */
  SOURCE_HTTP_CONCURRENCY: int(1, 64).default(8),
  /** HTTPS sources: deadline of one request, body included. */
  SOURCE_HTTP_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /** HTTPS sources: attempts per request (5xx, 429, timeouts and connection errors are retried with backoff). */
  SOURCE_HTTP_ATTEMPTS: int(1, 20).default(4),
  /** HTTPS sources: hosts a redirect may lead to besides the source's own (comma-separated `host` or `host:port`; https only). */
  SOURCE_HTTP_REDIRECT_HOSTS: hostList,
  /** HTTPS sources: a PEM file of CA certificates trusted besides the default ones (a corporate or private CA). */
  SOURCE_HTTP_CA_FILE: z.string().optional(),
  SINK_URL: storeUrl,
  /** Where `test_subset` writes; default `<SINK_URL>/_test`. Never the production prefix. */
  TEST_SINK_URL: storeUrl.optional(),
};

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/** The scanner's and the transformer's rules across the pipeline keys. */
function withPipelineRules<S extends z.ZodType<{ SINK_URL: string; TEST_SINK_URL?: string }>>(schema: S): S {
  return schema.refine((e) => e.TEST_SINK_URL === undefined || withoutTrailingSlash(e.TEST_SINK_URL) !== withoutTrailingSlash(e.SINK_URL), {
    message: 'must not be SINK_URL: test_subset never writes to the production prefix',
    path: ['TEST_SINK_URL'],
    when: whenParsed('SINK_URL', 'TEST_SINK_URL'),
  });
}

export const workQueueEnv = {
  /** Redelivery deadline for a work message; transformers send `working()` heartbeats at a third of it. */
  WORK_ACK_WAIT_MS: int(5_000, 3_600_000).default(60_000),
  /** Deliveries before a file is dead-lettered. */
  WORK_MAX_DELIVER: int(1, 100).default(5),
  /** Redelivery deadline of a run or cancel request; a scanner that dies mid-run resumes the run this much later. */
  CONTROL_ACK_WAIT_MS: int(5_000, 3_600_000).default(60_000),
  /**
   * Copies JetStream keeps of every stream and the runs bucket (the consumers follow their stream): 1 for a single
   * nats-server, 3 (or 5) for a cluster of at least that many servers. Odd, so a majority survives a lost server.
   */
  NATS_REPLICAS: z.coerce
    .number()
    .refine((n) => n === 1 || n === 3 || n === 5, 'must be 1 (a single server), 3 or 5 (a JetStream cluster of at least that many servers)')
    .default(1),
};

/** A time zone this Node knows (croner computes run times with Intl, which refuses any other). */
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone, e.g. UTC or America/New_York');

/** A cron expression as croner (the scanner's scheduler) reads it: 5 fields, or 6 with seconds first. */
const cronExpression = z
  .string()
  .max(100)
  .superRefine((expression, ctx) => {
    try {
      // No callback: croner only parses the expression, nothing is scheduled.
      new Cron(expression, { timezone: 'UTC' });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `"${expression}" is not a valid cron expression: ${(error as Error).message}`, input: expression });
    }
  });

export const scannerEnvSchema = withMetricsRules(withNatsRules(withPipelineRules(z.object({
  ...natsEnv,
  ...s3Env,
  ...logEnv,
  ...observabilityEnv,
  ...metricsEnv,
  ...pipelineEnv,
  ...workQueueEnv,
  /** Outside AWS (where EventBridge Scheduler does it): a cron expression on which the scanner requests an incremental run, e.g. `0 6 * * 1`. */
  SCHEDULE_CRON: cronExpression.optional(),
  /** Time zone of SCHEDULE_CRON. */
  SCHEDULE_TIMEZONE: timeZone.default('UTC'),
  /**
   * The active-run lock is a lease the scanner renews every third of this; when its scanner is gone, a live scanner
   * takes the run over once the lease has run out.
   */
  RUN_LOCK_TTL_MS: int(1_000, 3_600_000).default(60_000),
}))));
export type ScannerEnv = z.infer<typeof scannerEnvSchema>;

export const transformerEnvSchema = withNatsRules(withPipelineRules(z.object({
  ...natsEnv,
  ...s3Env,
  ...logEnv,
  ...observabilityEnv,
  ...pipelineEnv,
  ...workQueueEnv,
  /** Scratch space for the downloaded source (SOURCE_READ_MODE=download). */
  WORK_DIR: z.string().optional(),
  /**
   * `download`: the source file is first downloaded to WORK_DIR (disk = the file's size), then normalized.
   * `ranged`: the engine reads the source by ranged GETs as it decodes (no disk; more, smaller requests).
   */
  SOURCE_READ_MODE: z.enum(['download', 'ranged']).default('download'),
  /** Also write the rows the quality rules drop to `_quarantine/<dataset>/year=YYYY/month=MM/…` in the sink. */
  QUARANTINE: bool.default(false),
  ROW_GROUP_ROWS: int(1_000, 50_000_000).default(1_000_000),
  /** Rows a source file may claim; more fails it as `corrupt` (RLE can claim billions of rows in a few bytes). */
  MAX_FILE_ROWS: int(1, 10_000_000_000).default(100_000_000),
  /** Bytes the decoder may hold for one source file beyond its fixed windows (dictionaries, levels, zstd windows). */
  DECODE_MEMORY_BUDGET: int(16 * 1024 * 1024, 64 * 1024 * 1024 * 1024).default(256 * 1024 * 1024),
  /** Fail a file whose rules drop more than this fraction of its rows (see DEFAULT_MAX_DROP_FRACTION); a run's own value wins. */
  MAX_DROP_FRACTION: fraction.default(DEFAULT_MAX_DROP_FRACTION),
  /** Size of each ranged read of a source file. */
  SOURCE_READ_CHUNK_BYTES: int(4_096, 1_073_741_824).default(8 * 1024 * 1024),
  /** How long SIGTERM waits for the file in progress before it is nak'ed for another worker. */
  DRAIN_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  WORKER_ID: z.string().max(80).optional(),
  /** Set by the ECS agent inside a task: the transformer then holds task scale-in protection while it works. */
  ECS_AGENT_URI: z.string().url().optional(),
  /** Scale-in protection lasts this long unless released (keep it above the longest file; it is renewed while working). */
  TASK_PROTECTION_MINUTES: int(1, 2_880).default(60),
  /**
   * The longest one delivery of a file may take. Heartbeats stop and the file is aborted (nothing committed) and failed
   * as `deadline_exceeded` when it is reached, so a hung file cannot hold its message forever.
   */
  FILE_DEADLINE_MS: int(10_000, 86_400_000).default(3_600_000),
})));
export type TransformerEnv = z.infer<typeof transformerEnvSchema>;

export const capacityEnvSchema = withMetricsRules(withNatsRules(z
  .object({
    ...natsEnv,
    ...logEnv,
    S3_REQUEST_TIMEOUT_MS: s3Env.S3_REQUEST_TIMEOUT_MS,
    ...observabilityEnv,
    ...metricsEnv,
    ...workQueueEnv,
    CAPACITY_BACKEND: z.enum(['local', 'ecs']).default('local'),
    /** ecs backend: the cluster and the transformer service whose desiredCount the manager owns. */
    ECS_CLUSTER: z.string().optional(),
    ECS_SERVICE: z.string().optional(),
    /** ecs backend: endpoint override (tests, VPC endpoints); unset on AWS. */
    ECS_ENDPOINT: z.string().url().optional(),
    AWS_REGION: z.string().default('us-east-1'),
    /** ecs backend: after a change, no further change for this long (no flapping). Scale-ups that add capacity are not held back. */
    SCALE_COOLDOWN_MS: int(0, 3_600_000).default(60_000),
    WORKERS_MIN: int(0, 1000).default(0),
    WORKERS_MAX: int(1, 1000).default(4),
    FILES_PER_WORKER: int(1, 10_000).default(2),
    /** With no backlog for this long, workers go to WORKERS_MIN (0 by default). */
    IDLE_TIMEOUT_MS: int(0, 86_400_000).default(60_000),
    /** Consumer-info poll; file and run events also nudge an immediate check. */
    POLL_INTERVAL_MS: int(100, 60_000).default(1_000),
    /** Local backend: the command that starts one transformer (default: this build's transformer). */
    TRANSFORMER_COMMAND: z
      .string()
      .refine((command) => command.trim() !== '', 'must name the command to run (it is only blanks)')
      .optional(),
    /** Local backend: after SIGTERM a worker may drain this long before it is killed (keep > DRAIN_TIMEOUT_MS + 10 s: an aborted file's unwinding). */
    WORKER_KILL_AFTER_MS: int(1_000, 3_600_000).default(120_000),
    /** Local backend: the nkey seed file its workers connect with — the transformer's, not the manager's own. */
    WORKER_NATS_NKEY_SEED_FILE: z.string().optional(),
  })
  .refine((e) => e.WORKERS_MIN <= e.WORKERS_MAX, {
    message: 'WORKERS_MIN must be <= WORKERS_MAX',
    path: ['WORKERS_MIN'],
    when: whenParsed('WORKERS_MIN', 'WORKERS_MAX'),
  })
  .refine((e) => e.CAPACITY_BACKEND !== 'ecs' || (e.ECS_CLUSTER && e.ECS_SERVICE), {
    message: 'CAPACITY_BACKEND=ecs needs ECS_CLUSTER and ECS_SERVICE',
    path: ['CAPACITY_BACKEND'],
    when: whenParsed('CAPACITY_BACKEND', 'ECS_CLUSTER', 'ECS_SERVICE'),
  })
  // Workers would otherwise inherit the manager's identity, which may not pull work: they would retry forever.
  .refine((e) => e.CAPACITY_BACKEND !== 'local' || (e.NATS_NKEY_SEED_FILE === undefined && e.NATS_NKEY_SEED === undefined) || e.WORKER_NATS_NKEY_SEED_FILE, {
    message: 'the local backend connects as an nkey user: its workers need the transformer seed file in WORKER_NATS_NKEY_SEED_FILE',
    path: ['WORKER_NATS_NKEY_SEED_FILE'],
    when: whenParsed('CAPACITY_BACKEND', 'NATS_NKEY_SEED_FILE', 'NATS_NKEY_SEED', 'WORKER_NATS_NKEY_SEED_FILE'),
  })));
export type CapacityEnv = z.infer<typeof capacityEnvSchema>;

export const cliEnvSchema = withNatsRules(z.object({ ...natsEnv, ...logEnv }));

/** `sluice normalize` with s3:// or https:// paths: the S3 connection and the HTTPS source settings. */
export const normalizeCliEnvSchema = z.object({
  ...s3Env,
  SOURCE_HTTP_CONCURRENCY: pipelineEnv.SOURCE_HTTP_CONCURRENCY,
  SOURCE_HTTP_TIMEOUT_MS: pipelineEnv.SOURCE_HTTP_TIMEOUT_MS,
  SOURCE_HTTP_ATTEMPTS: pipelineEnv.SOURCE_HTTP_ATTEMPTS,
  SOURCE_HTTP_REDIRECT_HOSTS: pipelineEnv.SOURCE_HTTP_REDIRECT_HOSTS,
  SOURCE_HTTP_CA_FILE: pipelineEnv.SOURCE_HTTP_CA_FILE,
});
export type CliEnv = z.infer<typeof cliEnvSchema>;
