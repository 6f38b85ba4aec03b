import { createUser } from '@nats-io/nkeys';
import { BUS_ROLES, busPermissions, inboxPrefixFor, KV_RUNS_STREAM, STREAMS, subjectMatches, SUBJECTS, WORK_ADVISORY_SUBJECTS, type BusRole } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { isUserPublicKey, renderBusAuthorization } from './bus-authorization';

const keys = Object.fromEntries(BUS_ROLES.map((role) => [role, createUser().getPublicKey()])) as Record<BusRole, string>;
const perms = (role: BusRole) => busPermissions(role, (r) => inboxPrefixFor(keys[r]));
const mayPublish = (role: BusRole, subject: string) => perms(role).publish.some((p) => subjectMatches(p, subject));
const maySubscribe = (role: BusRole, subject: string) => perms(role).subscribe.some((p) => subjectMatches(p, subject));
const publishers = (subject: string) => BUS_ROLES.filter((r) => mayPublish(r, subject));

describe('bus permissions', () => {
  it('only the scanner publishes work; run requests come from the operator (and the scanner\'s schedule); cancel and plan from the operator', () => {
    expect(publishers(SUBJECTS.fileDiscovered)).toEqual(['scanner']);
    expect(publishers(SUBJECTS.run)).toEqual(['scanner', 'operator']);
    expect(publishers(SUBJECTS.cancel)).toEqual(['operator']);
    expect(publishers(SUBJECTS.plan)).toEqual(['operator']);
  });

  it('each event kind has its publishers: run events the scanner, file events workers (and the scanner), capacity the manager', () => {
    expect(publishers('pipeline.event.run.r1')).toEqual(['scanner']);
    expect(publishers('pipeline.event.file.r1')).toEqual(['scanner', 'transformer']);
    expect(publishers(SUBJECTS.capacityEvent)).toEqual(['capacity-manager']);
    expect(publishers('pipeline.dlq.pipeline.file.discovered')).toEqual(['scanner', 'transformer']);
    expect(publishers('pipeline.dlq.pipeline.run')).toEqual(['scanner']);
  });

  it('no role may publish server advisories, and only the scanner may declare or change streams and consumers', () => {
    for (const subject of [...WORK_ADVISORY_SUBJECTS, '$JS.EVENT.ADVISORY.API', '$SYS.REQ.SERVER.PING']) expect(publishers(subject)).toEqual([]);
    for (const stream of [...Object.values(STREAMS), KV_RUNS_STREAM]) {
      expect(publishers(`$JS.API.STREAM.CREATE.${stream}`)).toEqual(['scanner']);
      expect(publishers(`$JS.API.STREAM.UPDATE.${stream}`)).toEqual(['scanner']);
      expect(publishers(`$JS.API.STREAM.DELETE.${stream}`)).toEqual([]);
    }
    expect(publishers('$JS.API.CONSUMER.CREATE.PIPELINE_WORK.transformers')).toEqual(['scanner']);
    expect(publishers('$JS.API.CONSUMER.CREATE.PIPELINE_WORK.other')).toEqual([]);
    expect(publishers('$JS.API.CONSUMER.DELETE.PIPELINE_WORK.transformers')).toEqual([]);
    expect(publishers(`$JS.API.STREAM.PURGE.${STREAMS.work}`)).toEqual(['scanner']);
    expect(publishers(`$JS.API.STREAM.PURGE.${STREAMS.dlq}`)).toEqual(['operator']);
  });

  it('the scanner reads and removes work messages and consumes the work advisories; only it writes run records', () => {
    expect(mayPublish('scanner', `$JS.API.STREAM.MSG.GET.${STREAMS.work}`)).toBe(true);
    expect(mayPublish('scanner', `$JS.API.STREAM.MSG.DELETE.${STREAMS.work}`)).toBe(true);
    expect(mayPublish('scanner', `$JS.API.CONSUMER.MSG.NEXT.${STREAMS.advisories}.work-advisories`)).toBe(true);
    expect(mayPublish('scanner', `$JS.ACK.${STREAMS.advisories}.work-advisories.1.2.3.4.5`)).toBe(true);
    expect(publishers('$KV.sluice_runs.run.r1')).toEqual(['scanner']);
    expect(publishers('$KV.sluice_runs.active')).toEqual(['scanner']);
  });

  it('a worker acks only its own consumer, and only pulls from it', () => {
    expect(publishers('$JS.ACK.PIPELINE_WORK.transformers.1.2.3.4.5')).toEqual(['transformer']);
    expect(publishers('$JS.API.CONSUMER.MSG.NEXT.PIPELINE_WORK.transformers')).toEqual(['transformer']);
    expect(publishers('$JS.ACK.PIPELINE_CONTROL.scanner.1.2.3.4.5')).toEqual(['scanner']);
  });

  it('the observer publishes nothing but read-only JetStream API requests', () => {
    for (const subject of perms('observer').publish) {
      expect(subject).toMatch(/^\$JS\.API\.(INFO|STREAM\.INFO\.|CONSUMER\.INFO\.|STREAM\.MSG\.GET\.|DIRECT\.GET\.)/);
    }
  });

  it("every role reads replies only on its own inbox, never another role's or the default `_INBOX`", () => {
    for (const role of BUS_ROLES) {
      for (const other of BUS_ROLES) {
        expect(maySubscribe(role, `${inboxPrefixFor(keys[other])}.abc.1`), `${role} on ${other}'s inbox`).toBe(role === other);
      }
      expect(maySubscribe(role, '_INBOX.abc.1')).toBe(false);
      // Only the scanner publishes into an inbox, and only the operator's (its answers to pipeline.plan).
      const inboxes = perms(role).publish.filter((p) => p.startsWith('_INBOX'));
      expect(inboxes).toEqual(role === 'scanner' ? [`${inboxPrefixFor(keys.operator)}.>`] : []);
    }
  });

  it('only the scanner subscribes to plan requests; nobody may answer into a subject the requester chose', () => {
    expect(BUS_ROLES.filter((r) => maySubscribe(r, SUBJECTS.plan))).toEqual(['scanner']);
    // allow_responses would let a plan request's reply subject be a JetStream API call or a KV key.
    expect(BUS_ROLES.filter((r) => perms(r).allowResponses)).toEqual([]);
  });
});

describe('renderBusAuthorization', () => {
  it('renders one nkey user per role with its permissions, a deny-all default, and no password or seed', () => {
    const text = renderBusAuthorization(keys);
    expect(text).toMatch(/^authorization \{$/m);
    expect(text).toContain('default_permissions: { publish: { deny: [">"] }, subscribe: { deny: [">"] } }');
    for (const role of BUS_ROLES) expect(text).toContain(`# ${role}\n    { nkey: "${keys[role]}", permissions: {`);
    expect(text.match(/\{ nkey: /g)).toHaveLength(BUS_ROLES.length);
    expect(text).not.toMatch(/password|token/i);
    // A user seed is `SU` + 56 base32 characters (upper case): case-sensitive, or a public key's letters match it.
    expect(text).not.toMatch(/\bSU[A-Z2-7]{56}\b/);
    expect(text).not.toMatch(/allow_responses/);
    expect(text).toContain(`deny: ["$JS.EVENT.>", "$SYS.>"]`);
  });

  it('refuses a missing, malformed or repeated public key, naming the role', () => {
    expect(() => renderBusAuthorization({ ...keys, transformer: '' })).toThrow(/for: transformer/);
    expect(() => renderBusAuthorization({ ...keys, observer: 'UABC' })).toThrow(/for: observer/);
    const seedInstead = new TextDecoder().decode(createUser().getSeed());
    expect(() => renderBusAuthorization({ ...keys, operator: seedInstead })).toThrow(/for: operator/);
    expect(() => renderBusAuthorization({ ...keys, observer: keys.operator })).toThrow(/same public nkey/);
    expect(isUserPublicKey(keys.scanner)).toBe(true);
  });
});
