// A worker told to stop (SIGTERM: scale-in, a Spot interruption, a deploy) closes its transport. A handler that does not
// finish within DRAIN_TIMEOUT_MS is returned for redelivery and aborted, and close() waits for it to unwind before the
// process may exit: exiting under it could stop a commit between its data object and its manifest, leaving an output
// that no manifest names (the `partial: 1` a cancel test once saw with two test files running at a time).
import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PipelineError, STREAMS } from '@sluice/contracts';
import { streamConfigs } from '@sluice/messaging';
import { JetStreamContext, JetStreamServer, PassErrorsToSettlementFilter } from '@sluice/messaging/nest';
import { createLogger } from '@sluice/observability';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestNats, waitFor, type TestNats } from '../support';

const SUBJECT = 'test.drain';
const STREAM = 'TEST_DRAIN';
const CONSUMER = 'drainers';
const DRAIN_TIMEOUT_MS = 500;
const JobSchema = z.object({ id: z.string(), kind: z.enum(['until-aborted', 'commit']) });
type Job = z.infer<typeof JobSchema>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const steps: string[] = [];
let abortReason: unknown;

@Controller()
class DrainHandler {
  @EventPattern(SUBJECT)
  async handle(@Payload() job: Job, @Ctx() ctx: JetStreamContext): Promise<void> {
    steps.push('started');
    if (job.kind === 'until-aborted') {
      // a long read that takes the signal, then some unwinding (aborting an upload)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 30_000);
        ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      abortReason = ctx.signal.reason;
      await sleep(200);
      steps.push('unwound');
      throw ctx.signal.reason;
    }
    // a commit already past the point where it looks at the signal: the data object, then the manifest
    await sleep(600);
    steps.push('data object');
    await sleep(200);
    steps.push('manifest');
  }
}

@Module({ controllers: [DrainHandler] })
class DrainModule {}

let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
let app: INestMicroservice | undefined;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAM, subjects: [SUBJECT], retention: RetentionPolicy.Workqueue });
  await jsm.streams.add(streamConfigs().find((s) => s.name === STREAMS.dlq)!);
  await jsm.consumers.add(STREAM, { durable_name: CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: 30_000 * 1e6, max_deliver: 5 });
}, 30_000);

afterEach(async () => {
  steps.length = 0;
  abortReason = undefined;
  await jsm.streams.purge(STREAM);
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function startWorker(): Promise<INestMicroservice> {
  const strategy = new JetStreamServer(
    nc,
    [{ stream: STREAM, consumer: CONSUMER, routes: [{ pattern: SUBJECT, schema: JobSchema }], policy: { maxDeliver: 5, backoffMs: [100] }, ackWaitMs: 30_000 }],
    { logger: createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' }), drainTimeoutMs: DRAIN_TIMEOUT_MS, unwindTimeoutMs: DRAIN_TIMEOUT_MS, pullExpiresMs: 1_000 },
  );
  const worker = await NestFactory.createMicroservice(DrainModule, { strategy, logger: false });
  worker.useGlobalFilters(new PassErrorsToSettlementFilter());
  await worker.listen();
  return worker;
}

/** The message's delivery count when it is pulled again (by the test's own consumer handle). */
async function redeliveryCount(): Promise<number | undefined> {
  const consumer = await jetstream(nc).consumers.get(STREAM, CONSUMER);
  const msg = await consumer.next({ expires: 5_000 });
  msg?.ack();
  return msg?.info.deliveryCount;
}

it('past the drain timeout, the handler is aborted (drain_timeout), close() waits for it to unwind, and the message comes back', async () => {
  app = await startWorker();
  await jetstream(nc).publish(SUBJECT, JSON.stringify({ id: 'a', kind: 'until-aborted' }));
  await waitFor(() => steps.includes('started'), { what: 'handler started', timeoutMs: 10_000 });
  await app.close();
  const atClose = [...steps];
  expect(atClose).toEqual(['started', 'unwound']);
  expect(abortReason).toBeInstanceOf(PipelineError);
  expect((abortReason as PipelineError).code).toBe('drain_timeout');
  expect(await redeliveryCount()).toBe(2);
});

it('a commit under way when the drain times out is not cut between its data object and its manifest', async () => {
  app = await startWorker();
  await jetstream(nc).publish(SUBJECT, JSON.stringify({ id: 'b', kind: 'commit' }));
  await waitFor(() => steps.includes('started'), { what: 'handler started', timeoutMs: 10_000 });
  const closing = Date.now();
  await app.close();
  // the process would exit now: the commit must be whole
  expect(steps).toEqual(['started', 'data object', 'manifest']);
  expect(Date.now() - closing).toBeLessThan(2 * DRAIN_TIMEOUT_MS + 1_000);
  // it was returned for redelivery at the timeout (its handler's outcome then ignored): the next worker finds it
  // committed and says so, as a redelivery after a lost ack
  expect(await redeliveryCount()).toBe(2);
});
