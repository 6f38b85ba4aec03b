// The services bind to the consumers the topology declares, with the same settings, and their roles may use them: the
// relation between apps/*/src/consumer-bindings.ts, libs/messaging's topology and libs/contracts' bus permissions.
import { BUS_ROLES, busPermissions, DURABLES, inboxPrefixFor, subjectMatches, type BusRole, type DurableRef } from '@sluice/contracts';
import { consumerConfigs, consumerTopology, streamConfigs, topologyOptionsOf, type PullBinding } from '@sluice/messaging';
import { describe, expect, it } from 'vitest';
import { BACKLOG_CONSUMER } from '../../apps/capacity-manager/src/backlog-watcher';
import { scannerBindings } from '../../apps/scanner/src/consumer-bindings';
import { TERMINATED_GRACE_DELIVERIES } from '../../apps/scanner/src/work-advisory.handler';
import { transformerBindings } from '../../apps/transformer/src/consumer-bindings';

// Not the defaults of libs/config, so that a binding that took a setting from elsewhere shows.
const opts = topologyOptionsOf({ WORK_ACK_WAIT_MS: 45_000, WORK_MAX_DELIVER: 7, CONTROL_ACK_WAIT_MS: 20_000, NATS_REPLICAS: 3 });
const consumers = consumerTopology(opts);
const declared = consumerConfigs(opts);

const services: Array<{ role: BusRole; bindings: PullBinding[]; reads: DurableRef[] }> = [
  { role: 'scanner', bindings: scannerBindings(consumers), reads: [] },
  { role: 'transformer', bindings: transformerBindings(consumers, { fileDeadlineMs: 600_000 }), reads: [] },
  { role: 'capacity-manager', bindings: [], reads: [BACKLOG_CONSUMER] },
];

const perms = (role: BusRole) => busPermissions(role, (r) => inboxPrefixFor(`U${r.toUpperCase()}`));
const mayPublish = (role: BusRole, subject: string) => perms(role).publish.some((p) => subjectMatches(p, subject));

describe('consumer bindings', () => {
  it('every consumer a service binds to is declared by the topology, with the same ack wait and max deliver', () => {
    for (const { role, bindings } of services) {
      for (const binding of bindings) {
        const what = `${role} → ${binding.stream}/${binding.consumer}`;
        const consumer = declared.find((d) => d.stream === binding.stream && d.config.durable_name === binding.consumer);
        expect(consumer, what).toBeDefined();
        expect(binding.ackWaitMs * 1e6, what).toBe(consumer!.config.ack_wait);
        expect(binding.policy.maxDeliver, what).toBe(consumer!.config.max_deliver);
      }
    }
    expect(services.flatMap((s) => s.bindings).length).toBe(4);
  });

  it('each consumer is bound by one service, and every message it delivers has a route there', () => {
    const bound = services.flatMap((s) => s.bindings);
    expect(bound.map(({ stream, consumer }) => ({ stream, consumer })).sort(byName)).toEqual(Object.values(DURABLES).sort(byName));
    const streams = new Map(streamConfigs().map((s) => [s.name, s.subjects]));
    for (const binding of bound) {
      const { config } = declared.find((d) => d.config.durable_name === binding.consumer)!;
      // What the consumer delivers: its filter, or anything its stream holds. Matched token by token against the route.
      const delivers = config.filter_subject ? [config.filter_subject] : streams.get(binding.stream)!;
      for (const subject of delivers) {
        expect(binding.routes.some((r) => subjectMatches(r.pattern, subject)), `${binding.consumer}: ${subject}`).toBe(true);
      }
    }
  });

  it("a service's role may read, pull from and ack the consumers it binds to, and read those it watches", () => {
    for (const { role, bindings, reads } of services) {
      for (const { stream, consumer } of bindings) {
        expect(mayPublish(role, `$JS.API.CONSUMER.INFO.${stream}.${consumer}`), `${role} info ${consumer}`).toBe(true);
        expect(mayPublish(role, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`), `${role} pull ${consumer}`).toBe(true);
        expect(mayPublish(role, `$JS.ACK.${stream}.${consumer}.1.7.42.1700000000000000000.0`), `${role} ack ${consumer}`).toBe(true);
      }
      for (const { stream, consumer } of reads) {
        expect(mayPublish(role, `$JS.API.CONSUMER.INFO.${stream}.${consumer}`), `${role} info ${consumer}`).toBe(true);
      }
    }
  });

  it('the scanner may declare every consumer (with its filter), and an observer may read each', () => {
    for (const { stream, config } of declared) {
      const create = `$JS.API.CONSUMER.CREATE.${stream}.${config.durable_name}`;
      expect(mayPublish('scanner', config.filter_subject ? `${create}.${config.filter_subject}` : create), create).toBe(true);
      for (const role of BUS_ROLES.filter((r) => r !== 'scanner')) expect(mayPublish(role, create), `${role}: ${create}`).toBe(false);
      expect(mayPublish('observer', `$JS.API.CONSUMER.INFO.${stream}.${config.durable_name}`)).toBe(true);
    }
  });

  it("a terminated file's advisory reaches the delivery on which the scanner stops waiting for its failure event", () => {
    expect(TERMINATED_GRACE_DELIVERIES).toBeLessThanOrEqual(consumers.workAdvisories.maxDeliver);
  });
});

function byName(a: DurableRef, b: DurableRef): number {
  return a.consumer.localeCompare(b.consumer);
}
