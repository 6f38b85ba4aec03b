// The JetStream transport against a real nats-server: settlement, heartbeats, dead letters, graceful close.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PermanentError, STREAMS, TransientError } from '@sluice/contracts';
import { streamConfigs } from '@sluice/messaging';
import { JetStreamContext, JetStreamServer, PassErrorsToSettlementFilter } from '@sluice/messaging/nest';
import { createLogger } from '@sluice/observability';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readDeadLetters } from '../../apps/cli/src/dead-letters';
import { startTestNats, waitFor, type TestNats } from '../support';

const SUBJECT = 'test.jobs';
const STREAM = 'TEST_JOBS';
const CONSUMER = 'workers';
const JobSchema = z.object({ id: z.string(), behaviour: z.enum(['ok', 'transient-once', 'transient-always', 'permanent', 'slow']) });
type Job = z.infer<typeof JobSchema>;

const seen: Array<{ id: string; delivery: number }> = [];
const completed: string[] = [];
let slowMs = 0;

@Controller()
class JobHandler {
  @EventPattern(SUBJECT)
  async handle(@Payload() job: Job, @Ctx() ctx: JetStreamContext): Promise<void> {
    seen.push({ id: job.id, delivery: ctx.deliveryCount });
    switch (job.behaviour) {
      case 'transient-once':
        if (ctx.deliveryCount === 1) throw new TransientError('flaky', 'first attempt fails');
        break;
      case 'transient-always':
        throw new TransientError('down', 'always down');
      case 'permanent':
        throw new PermanentError('bad_file', 'not a Parquet file');
      case 'slow':
        await new Promise((r) => setTimeout(r, slowMs));
        break;
    }
    completed.push(job.id);
  }
}

@Module({ controllers: [JobHandler] })
class JobModule {}

describe('JetStream transport', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let app: INestMicroservice;
  const ACK_WAIT_MS = 2_000;

  const publish = (body: unknown) => jetstream(nc).publish(SUBJECT, typeof body === 'string' ? body : JSON.stringify(body));
  const deadLetters = async () => {
    const { letters, unreadable } = await readDeadLetters(jsm);
    if (unreadable.length) throw new Error(`DLQ messages ${unreadable.join(', ')} are not dead letters`);
    return letters.map((l) => l.letter);
  };

  beforeAll(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: [SUBJECT], retention: RetentionPolicy.Workqueue });
    await jsm.streams.add(streamConfigs().find((s) => s.name === STREAMS.dlq)!);
    await jsm.consumers.add(STREAM, { durable_name: CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: ACK_WAIT_MS * 1e6, max_deliver: 3 });
    const strategy = new JetStreamServer(
      nc,
      [{ stream: STREAM, consumer: CONSUMER, routes: [{ pattern: SUBJECT, schema: JobSchema }], policy: { maxDeliver: 3, backoffMs: [200] }, ackWaitMs: ACK_WAIT_MS }],
      { logger: createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' }), drainTimeoutMs: 5_000, pullExpiresMs: 1_000 },
    );
    app = await NestFactory.createMicroservice(JobModule, { strategy, logger: false });
    app.useGlobalFilters(new PassErrorsToSettlementFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await nc?.close();
    await nats?.stop();
  });

  beforeEach(() => {
    seen.length = 0;
    completed.length = 0;
  });

  const pending = async () => {
    const info = await jsm.consumers.info(STREAM, CONSUMER);
    return info.num_pending + info.num_ack_pending;
  };

  it('acks a handled message: it leaves the work queue', async () => {
    await publish({ id: 'a', behaviour: 'ok' });
    await waitFor(async () => completed.includes('a') && (await pending()) === 0, { what: 'job a acked' });
    expect(seen).toEqual([{ id: 'a', delivery: 1 }]);
  });

  it('naks a transient failure and redelivers it', async () => {
    await publish({ id: 'b', behaviour: 'transient-once' });
    await waitFor(async () => completed.includes('b') && (await pending()) === 0, { what: 'job b done on its second delivery' });
    expect(seen.filter((s) => s.id === 'b').map((s) => s.delivery)).toEqual([1, 2]);
  });

  it('dead-letters a permanent failure at once, with its reason and payload', async () => {
    await publish({ id: 'c', behaviour: 'permanent' });
    const letter = await waitFor(async () => (await deadLetters()).find((d) => Buffer.from(d.payloadBase64, 'base64').toString().includes('"c"')), {
      what: 'dead letter for job c',
    });
    expect(letter).toMatchObject({ code: 'bad_file', reason: 'not a Parquet file', subject: SUBJECT, deliveryCount: 1 });
    expect(seen.filter((s) => s.id === 'c')).toHaveLength(1);
    // Removed by term() at once, not by ack_wait running out.
    await waitFor(async () => (await pending()) === 0, { what: 'job c removed from the queue', timeoutMs: ACK_WAIT_MS * 0.75 });
  });

  it('gives up after max_deliver: a dead letter, not an endless loop', async () => {
    await publish({ id: 'd', behaviour: 'transient-always' });
    const letter = await waitFor(async () => (await deadLetters()).find((d) => Buffer.from(d.payloadBase64, 'base64').toString().includes('"d"')), {
      what: 'dead letter for job d',
      timeoutMs: 15_000,
    });
    expect(letter.code).toBe('max_deliver_exceeded');
    expect(seen.filter((s) => s.id === 'd').map((s) => s.delivery)).toEqual([1, 2, 3]);
  });

  it('sends invalid messages to the dead-letter stream and keeps consuming', async () => {
    await publish('this is not json');
    await publish({ id: 'e', behaviour: 'explode' });
    await publish({ id: 'f', behaviour: 'ok' });
    await waitFor(() => completed.includes('f'), { what: 'job f after two poison messages' });
    const codes = (await deadLetters()).map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['invalid_json', 'invalid_message']));
  });

  it('keeps a long job alive with working() heartbeats past ack_wait: no redelivery', async () => {
    slowMs = ACK_WAIT_MS * 2.5;
    await publish({ id: 'g', behaviour: 'slow' });
    await waitFor(() => completed.includes('g'), { what: 'slow job g', timeoutMs: 15_000 });
    await waitFor(async () => (await pending()) === 0, { what: 'job g acked' });
    expect(seen.filter((s) => s.id === 'g')).toEqual([{ id: 'g', delivery: 1 }]);
  });
});
