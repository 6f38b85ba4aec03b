// Who may publish and subscribe what on the bus: one NATS user per role, deny by default. The one source of the
// permissions that the demo, the tests, docker-compose and the CDK stack render into nats-server's configuration.
import { deadLetterSubject, DURABLES, KV, STREAMS, SUBJECTS, WORK_ADVISORY_SUBJECTS, type DurableRef } from './subjects';

/** The operator runs the CLI (run, cancel, plan, status, dlq); the observer only reads (status, dlq list, events). */
export const BUS_ROLES = ['scanner', 'transformer', 'capacity-manager', 'operator', 'observer'] as const;
export type BusRole = (typeof BUS_ROLES)[number];

export interface BusPermissions {
  /** Subjects the user may publish to (JetStream API requests and acks are publishes too); everything else is refused. */
  publish: string[];
  /** Subjects the user may subscribe to; everything else is refused. */
  subscribe: string[];
  /** May answer a request it received, once, on that request's reply subject (the scanner answers `pipeline.plan`). */
  allowResponses: boolean;
}

/**
 * Refused to every role even if an allow ever grew to cover them: the server's advisories (the scanner fails files
 * from the work consumer's MAX_DELIVERIES advisories, so a forged one would fail a healthy file) and the system account.
 */
export const DENIED_TO_EVERY_ROLE = ['$JS.EVENT.>', '$SYS.>'] as const;

/** The stream behind the runs KV bucket. */
export const KV_RUNS_STREAM = `KV_${KV.runsBucket}`;

/**
 * Where a user's request replies (JetStream API answers, publish acks, pulled messages) arrive: an inbox of its
 * own, derived from its public nkey, so the client needs no setting for it and no role can read another's replies.
 */
export function inboxPrefixFor(publicKey: string): string {
  return `_INBOX.${publicKey}`;
}

// JetStream's API is request-reply on `$JS.API.…` subjects: allowing a request subject allows that one operation.
const api = {
  accountInfo: '$JS.API.INFO',
  streamInfo: (stream: string) => `$JS.API.STREAM.INFO.${stream}`,
  streamDeclare: (stream: string) => [`$JS.API.STREAM.CREATE.${stream}`, `$JS.API.STREAM.UPDATE.${stream}`],
  streamPurge: (stream: string) => `$JS.API.STREAM.PURGE.${stream}`,
  messageGet: (stream: string) => `$JS.API.STREAM.MSG.GET.${stream}`,
  messageDelete: (stream: string) => `$JS.API.STREAM.MSG.DELETE.${stream}`,
  /** Direct get: `$JS.API.DIRECT.GET.<stream>` and, for last-by-subject, `….<stream>.<subject>`. */
  directGet: (stream: string) => [`$JS.API.DIRECT.GET.${stream}`, `$JS.API.DIRECT.GET.${stream}.>`],
  consumerInfo: (stream: string, consumer: string) => `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
  /** Create or update one named consumer (`….<consumer>.<filter subject>` when it has a filter). */
  consumerDeclare: (stream: string, consumer: string) => [
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}.>`,
  ],
  pull: (stream: string, consumer: string) => `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
  /** ack, nak, term and working() of messages delivered by that consumer. */
  ack: (stream: string, consumer: string) => `$JS.ACK.${stream}.${consumer}.>`,
};

/** Every service checks every stream for its readiness; `sluice status` shows them all. Reading config is harmless. */
const readStreams = (): string[] => [api.accountInfo, ...[...Object.values(STREAMS), KV_RUNS_STREAM].map(api.streamInfo)];
const readRuns = (): string[] => [api.messageGet(KV_RUNS_STREAM), ...api.directGet(KV_RUNS_STREAM)];
const consume = ({ stream, consumer }: DurableRef): string[] => [api.consumerInfo(stream, consumer), api.pull(stream, consumer), api.ack(stream, consumer)];

function scanner(inboxOf: (role: BusRole) => string): BusPermissions {
  return {
    publish: [
      ...readStreams(),
      // The scanner declares the topology (streams, consumers, the runs bucket); no other service may change it.
      ...[...Object.values(STREAMS), KV_RUNS_STREAM].flatMap(api.streamDeclare),
      ...Object.values(DURABLES).flatMap(({ stream, consumer }) => [api.consumerInfo(stream, consumer), ...api.consumerDeclare(stream, consumer)]),
      ...consume(DURABLES.scanner),
      ...consume(DURABLES.runTracker),
      ...consume(DURABLES.workAdvisories),
      // cancel drops the queued work; a file failed from an advisory is read and removed from the work stream
      api.streamPurge(STREAMS.work),
      api.messageGet(STREAMS.work),
      api.messageDelete(STREAMS.work),
      // run records and the active-run lock
      `$KV.${KV.runsBucket}.>`,
      ...readRuns(),
      SUBJECTS.fileDiscovered,
      SUBJECTS.runEvents,
      // a file no worker could settle (crashed, killed) is failed by the scanner with the event a worker would send
      SUBJECTS.fileEvents,
      // SCHEDULE_CRON: the scanner requests the scheduled incremental run itself
      SUBJECTS.run,
      ...[SUBJECTS.run, SUBJECTS.cancel, SUBJECTS.fileEvents, SUBJECTS.fileDiscovered, ...WORK_ADVISORY_SUBJECTS].map(deadLetterSubject),
      // The answer to a `pipeline.plan` request goes to the operator's inbox, and nowhere else. Not allow_responses:
      // that would let a requester name any reply subject (a JetStream API call, a KV key) and have the scanner
      // publish there with its own rights.
      `${inboxOf('operator')}.>`,
    ],
    subscribe: [SUBJECTS.plan],
    allowResponses: false,
  };
}

function transformer(): BusPermissions {
  return {
    publish: [
      ...readStreams(),
      ...consume(DURABLES.transformers),
      ...readRuns(), // is the file's run still active?
      SUBJECTS.fileEvents,
      deadLetterSubject(SUBJECTS.fileDiscovered),
    ],
    subscribe: [],
    allowResponses: false,
  };
}

function capacityManager(): BusPermissions {
  return {
    publish: [...readStreams(), api.consumerInfo(DURABLES.transformers.stream, DURABLES.transformers.consumer), SUBJECTS.capacityEvent],
    subscribe: [SUBJECTS.events], // run and file events nudge a backlog check
    allowResponses: false,
  };
}

/** What `sluice status`, `sluice dlq list` and following a run read. */
function observer(): BusPermissions {
  return {
    publish: [
      ...readStreams(),
      ...Object.values(DURABLES).map(({ stream, consumer }) => api.consumerInfo(stream, consumer)),
      api.messageGet(STREAMS.events), // the last capacity event
      api.messageGet(STREAMS.dlq),
      ...readRuns(),
    ],
    subscribe: [SUBJECTS.events],
    allowResponses: false,
  };
}

function operator(): BusPermissions {
  const read = observer();
  return {
    // `sluice dlq replay` republishes only to the control subjects: only the scanner publishes work.
    publish: [...read.publish, SUBJECTS.run, SUBJECTS.cancel, SUBJECTS.plan, api.messageDelete(STREAMS.dlq), api.streamPurge(STREAMS.dlq)],
    subscribe: read.subscribe,
    allowResponses: false,
  };
}

const BY_ROLE: Record<BusRole, (inboxOf: (role: BusRole) => string) => BusPermissions> = {
  scanner,
  transformer,
  'capacity-manager': capacityManager,
  operator,
  observer,
};

/**
 * The permissions of one role. `inboxOf(role)` is a role's inbox prefix (see inboxPrefixFor): a user may read only
 * its own, and the scanner may answer only into the operator's.
 */
export function busPermissions(role: BusRole, inboxOf: (role: BusRole) => string): BusPermissions {
  const base = BY_ROLE[role](inboxOf);
  return {
    publish: [...new Set(base.publish)],
    subscribe: [...new Set([`${inboxOf(role)}.>`, ...base.subscribe])],
    allowResponses: base.allowResponses,
  };
}
