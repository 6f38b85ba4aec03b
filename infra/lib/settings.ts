// The deployment's choices, read once from CDK context (`-c key=value` or cdk.json) and validated together:
// a bad context fails synth with one message listing every bad key, like the services' own config.
import { BUS_ROLES, type BusRole } from '@sluice/contracts';
import { z } from 'zod';

/** The TLC's CloudFront distribution: the services' own default source, which needs no IAM. */
export const TLC_HTTPS_SOURCE = 'https://d37ci6vzurychx.cloudfront.net/trip-data/';

/** Fargate's ceiling for a container's stop timeout: the transformer gets all of it to drain. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
/** A Fargate Spot interruption is a SIGTERM two minutes before the task is stopped. */
export const FARGATE_SPOT_NOTICE_SECONDS = 120;

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name');
const userPublicKey = /^U[A-Z2-7]{55}$/;

/**
 * The public nkey of every bus role, as `sluice bus-auth init` prints it: `scanner=U…,transformer=U…,…` from
 * `-c`, or a JSON object in cdk.json. Public keys are not secrets; the seeds stay in Secrets Manager.
 */
const publicKeys = z
  .union([z.string().transform((text) => Object.fromEntries(text.split(',').filter(Boolean).map((pair) => pair.split('=', 2).map((s) => s.trim())))), z.record(z.string(), z.string())])
  .superRefine((keys, ctx) => {
    const unknown = Object.keys(keys).filter((role) => !(BUS_ROLES as readonly string[]).includes(role));
    const missing = BUS_ROLES.filter((role) => keys[role] === undefined);
    const malformed = BUS_ROLES.filter((role) => keys[role] !== undefined && !userPublicKey.test(keys[role]));
    if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown role(s) ${unknown.join(', ')} (roles: ${BUS_ROLES.join(', ')})` });
    if (missing.length) ctx.addIssue({ code: 'custom', message: `no public key for ${missing.join(', ')} (give role=U… for each of ${BUS_ROLES.join(', ')})` });
    if (malformed.length) ctx.addIssue({ code: 'custom', message: `not a user public nkey (U…, 56 characters) for ${malformed.join(', ')}` });
  })
  .transform((keys) => keys as Record<BusRole, string>);

/**
 * Where transformer tasks run, as ECS capacity provider weights: `spot` (the default: Spot, with the first task
 * on-demand), `on-demand`, or weights `spot=3,on-demand=1,base=1` from `-c` (a JSON object with the same keys in
 * cdk.json). `base` tasks run on-demand before the weights share the rest. ECS does not move a task to on-demand
 * when Spot has no capacity, so an on-demand base is what keeps a run moving through a Spot shortage.
 */
export interface TransformerCapacity {
  spotWeight: number;
  onDemandWeight: number;
  onDemandBase: number;
}

const CAPACITY_PRESETS = {
  spot: { spot: 1, 'on-demand': 0, base: 1 },
  'on-demand': { spot: 0, 'on-demand': 1, base: 0 },
} as const;
const CAPACITY_FORMS = 'spot, on-demand, or weights such as spot=3,on-demand=1,base=1';

const transformerCapacity = z
  .preprocess(
    (value) => {
      if (value === 'spot' || value === 'on-demand') return CAPACITY_PRESETS[value];
      if (typeof value !== 'string') return value;
      return Object.fromEntries(value.split(',').filter(Boolean).map((pair) => pair.split('=', 2).map((s) => s.trim())));
    },
    z.strictObject(
      { spot: int(0, 1000).default(0), 'on-demand': int(0, 1000).default(0), base: int(0, 100_000).default(0) },
      { error: () => `must be ${CAPACITY_FORMS}` },
    ),
  )
  .refine((w) => w.spot > 0 || w['on-demand'] > 0, {
    message: 'spot or on-demand needs a weight above 0 (ECS places no task with every weight at 0)',
    when: (payload) => payload.issues.length === 0, // not on top of a bad form or key
  })
  .transform((w): TransformerCapacity => ({ spotWeight: w.spot, onDemandWeight: w['on-demand'], onDemandBase: w.base }));

export const settingsSchema = z
  .object({
    /** `service`: a NATS (JetStream on EFS) Fargate service of this stack. `external`: your own NATS at `natsUrl`. */
    nats: z.enum(['service', 'external']).default('service'),
    natsUrl: z
      .string()
      .regex(/^(nats|tls):\/\/[^\s/]+(,(nats|tls):\/\/[^\s/]+)*$/, 'must be nats://host:port or tls://host:port (comma-separated for a cluster)')
      .optional(),
    /**
     * The stack's own NATS: the public nkey of each role (required: the server gets their authorization, and synth
     * refuses to deploy an open bus). Also accepted with an external NATS, where it is not used.
     */
    natsPublicKeys: publicKeys.optional(),
    /** Each task reads its role's seed from the Secrets Manager secret `<prefix><role>` (own NATS, or natsAuth=nkey). */
    natsSeedSecretPrefix: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,400}$/, 'must be a Secrets Manager name prefix (letters, digits and /_+=.@-)')
      .default('sluice/nats/'),
    /** Secrets Manager secret (complete ARN) holding JSON `{"user","password"}` or `{"token"}`; injected as container secrets. */
    natsSecretArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/, 'must be the complete secret ARN (ending in -XXXXXX)')
      .optional(),
    /** External NATS: `nkey` reads each task's own seed (natsSeedSecretPrefix); the others one shared JSON secret (natsSecretArn). */
    natsAuth: z.enum(['user-password', 'token', 'nkey']).default('user-password'),
    natsImage: z.string().min(1).default('public.ecr.aws/docker/library/nats:2.10-alpine'),
    /**
     * Copies JetStream keeps of every stream and the runs bucket (the services' NATS_REPLICAS): 3 or 5 for an external
     * cluster of at least that many servers. The stack's own NATS is one server: 1.
     */
    natsReplicas: z.coerce.number().pipe(z.union([z.literal(1), z.literal(3), z.literal(5)], { error: () => 'must be 1, 3 or 5' })).default(1),
    /** Where the TLC files are read: the HTTPS distribution (default) or an `s3://bucket[/prefix]` mirror. */
    sourceUrl: z
      .string()
      .regex(/^(https:\/\/[^\s/?#@]+\/[^\s?#]*|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/, 'must be https://host/path/ or s3://bucket[/prefix]')
      .default(TLC_HTTPS_SOURCE),
    /** A fixed name for the sink bucket; by default CloudFormation generates a unique one. */
    sinkBucketName: bucketName.optional(),
    /** EventBridge Scheduler syntax: `cron(min hour day-of-month month day-of-week year)` or `rate(…)`. */
    schedule: z
      .string()
      .regex(/^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/, 'must be cron(m h dom mon dow year) or rate(n unit), e.g. cron(0 6 ? * MON *)')
      .default('cron(0 6 ? * MON *)'),
    scheduleTimezone: z.string().min(1).default('UTC'),
    scheduleEnabled: flag.default(true),
    workersMax: int(1, 100).default(4),
    idleTimeoutMs: int(0, 86_400_000).default(120_000),
    scaleCooldownMs: int(0, 3_600_000).default(60_000),
    /** Transformer task size (Fargate CPU units and MiB); the always-on tasks are the 0.25 vCPU / 512 MiB minimum. */
    transformerCpu: z.coerce.number().pipe(z.union([z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)])).default(1024),
    transformerMemoryMiB: int(1024, 30_720).default(4096),
    /** Transformers on Fargate Spot (about 70% cheaper; an interrupted file finishes or is redelivered, never lost). */
    transformerCapacity: transformerCapacity.prefault('spot'),
    cpuArchitecture: z.enum(['X86_64', 'ARM64']).default('X86_64'),
    logRetentionDays: z.coerce.number().pipe(z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(365)])).default(30),
    testPrefixExpiryDays: int(1, 365).default(7),
    /** Subscribed by e-mail to the alarms' SNS topic (AWS mails a confirmation link first); none: subscribe later. */
    alarmEmail: z.email('must be an e-mail address').optional(),
    /** Alarm when the oldest work has waited (or been in progress) this long. A big reprocess on few workers waits long. */
    backlogAgeAlarmMinutes: int(5, 10_080).default(180),
    /** Alarm when the active run has made no progress for this long (beyond the watchdog's grace): keep it above the longest file. */
    stuckRunAlarmMinutes: int(10, 1_440).default(60),
  });

export type SluiceSettings = z.infer<typeof settingsSchema>;
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as (keyof SluiceSettings)[];

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid sluice context:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** `lookup` is `(key) => app.node.tryGetContext(key)`; empty strings count as unset. */
export function readSettings(lookup: (key: string) => unknown): SluiceSettings {
  const raw = Object.fromEntries(
    SETTING_KEYS.map((key) => [key, lookup(key)] as const).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  );
  const parsed = settingsSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(context)'}: ${i.message}`);
  problems.push(...combinationProblems(raw), ...capacityProblems(raw));
  if (lookup('spot') !== undefined) {
    problems.push(`spot: replaced by transformerCapacity (${CAPACITY_FORMS}); Spot with one on-demand task is the default`);
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return parsed.data!;
}

/** Checked on the raw values too, so they are reported together with any per-key problem. */
function combinationProblems(raw: Record<string, unknown>): string[] {
  const external = raw.nats === 'external';
  if (external && raw.natsUrl === undefined) return ['natsUrl: required with -c nats=external'];
  if (!external && (raw.natsUrl !== undefined || raw.natsSecretArn !== undefined)) {
    return ['nats: natsUrl and natsSecretArn are only used with -c nats=external'];
  }
  if (!external && raw.natsReplicas !== undefined && String(raw.natsReplicas) !== '1') {
    return ["natsReplicas: the stack's own NATS is one server; more than 1 needs -c nats=external with a cluster of at least that many"];
  }
  if (!external && raw.natsPublicKeys === undefined) {
    return [
      "natsPublicKeys: required for the stack's own NATS, which gets one nkey user per role (it will not deploy an open bus): " +
        'run `npm run sluice -- bus-auth init --dir <dir>`, create the Secrets Manager secrets it prints, and pass -c natsPublicKeys=scanner=U…,transformer=U…,…',
    ];
  }
  if (external && raw.natsAuth === 'nkey' && raw.natsSecretArn !== undefined) {
    return ['natsSecretArn: not used with natsAuth=nkey: each task reads its own seed from the secret <natsSeedSecretPrefix><role>'];
  }
  return [];
}

/**
 * An on-demand base that fills every allowed task leaves none for Spot: when the operator asked for that strategy, say
 * so rather than deploy a no-op. The default strategy (one on-demand task, then Spot) is not their choice: with
 * workersMax=1 it simply runs that one task on-demand, as `-c workersMax=1` always did.
 */
function capacityProblems(raw: Record<string, unknown>): string[] {
  if (raw.transformerCapacity === undefined) return [];
  const capacity = settingsSchema.shape.transformerCapacity.safeParse(raw.transformerCapacity);
  const workersMax = settingsSchema.shape.workersMax.safeParse(raw.workersMax);
  if (!capacity.success || !workersMax.success) return []; // reported per key already
  const { spotWeight, onDemandBase } = capacity.data;
  if (spotWeight === 0 || onDemandBase < workersMax.data) return [];
  return [
    `transformerCapacity: the on-demand base of ${onDemandBase} task(s) covers workersMax=${workersMax.data}, so no transformer would run on Spot: ` +
      'use transformerCapacity=on-demand, spot=1,base=0 (Spot only), or a larger workersMax',
  ];
}

/** `s3://bucket/some/prefix/` → { bucket, prefix: 'some/prefix/' }; HTTPS sources → undefined (no IAM needed). */
export function s3Source(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) return undefined;
  const prefix = m[2] === '' || m[2].endsWith('/') ? m[2] : `${m[2]}/`;
  return { bucket: m[1], prefix };
}
