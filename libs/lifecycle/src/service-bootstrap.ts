// The start-up and shut-down every sluice service shares: config → logger → NATS → topology → Nest → signals.
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigError, exitOnUnsupportedRuntime, loadEnv, natsOptionsOf, type NatsEnv } from '@sluice/config';
import type { DurableRef } from '@sluice/contracts';
import {
  awaitTopology,
  connectNats,
  consumerTopology,
  describeServers,
  ensureTopology,
  topologyOptionsOf,
  type ConsumerTopology,
  type PullBinding,
  type Topology,
} from '@sluice/messaging';
import { JetStreamServer, PassErrorsToSettlementFilter } from '@sluice/messaging/nest';
import {
  cloudWatchFigures,
  createLogger,
  createSecretScrubber,
  NestPinoLogger,
  secretValuesOf,
  startHttpEndpoint,
  type HttpEndpoint,
  type Logger,
} from '@sluice/observability';
import type { z } from 'zod';
import { watchConnection } from './connection-watch';
import { readinessOf } from './readiness';
import { stopOnSignals } from './shutdown';

export interface ServiceDeps<E> {
  env: E;
  nc: NatsConnection;
  topology: Topology;
  logger: Logger;
}

interface BaseEnv extends NatsEnv {
  LOG_LEVEL: string;
  HTTP_PORT: number;
  LOG_FORMAT?: 'json' | 'pretty';
  WORK_ACK_WAIT_MS: number;
  WORK_MAX_DELIVER: number;
  CONTROL_ACK_WAIT_MS: number;
  NATS_REPLICAS: number;
  /** The services that publish CloudWatch figures (scanner, capacity manager) have these. */
  METRICS_EMF?: boolean;
  METRICS_EMF_INTERVAL_MS?: number;
}

export interface ServiceDefinition<S extends z.ZodType<BaseEnv>> {
  name: string;
  envSchema: S;
  module: (deps: ServiceDeps<z.infer<S>>) => DynamicModule;
  /**
   * Pull consumers feeding `@EventPattern` handlers, each bound to a declared consumer (`pullBinding(consumers.x, …)`);
   * none means a plain application context.
   */
  bindings?: (consumers: ConsumerTopology, env: z.infer<S>) => PullBinding[];
  drainTimeoutMs?: (env: z.infer<S>) => number;
  /**
   * The scanner declares the streams, consumers and the runs bucket; every other service waits for them, because
   * its NATS user may read them but not create or change them.
   */
  declaresTopology?: boolean;
  /** Durable consumers a waiting service reads besides its bindings' (the capacity manager: the transformers'). */
  readsConsumers?: DurableRef[];
}

/** Starts a service; on a fatal start-up problem prints one clear line and exits non-zero. */
export async function runService<S extends z.ZodType<BaseEnv>>(def: ServiceDefinition<S>): Promise<void> {
  exitOnUnsupportedRuntime(def.name);
  let env: z.infer<S>;
  try {
    env = loadEnv(def.envSchema);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : String(error);
    process.stderr.write(`sluice ${def.name}: ${createSecretScrubber(secretValuesOf(process.env))(message)}\n`);
    process.exit(2);
  }
  const secrets = secretValuesOf(env);
  const logger = createLogger({ service: def.name, level: env.LOG_LEVEL, format: env.LOG_FORMAT, secrets });
  if (env.METRICS_EMF) cloudWatchFigures.enable(logger, env.METRICS_EMF_INTERVAL_MS ?? 60_000);
  let app: INestApplicationContext;
  let nc: NatsConnection;
  let http: HttpEndpoint | undefined;
  const connection = { up: false };
  const nats = natsOptionsOf(env);
  try {
    nc = await connectNats(nats, `sluice-${def.name}`);
    connection.up = true;
    const bindings = def.bindings?.(consumerTopology(topologyOptionsOf(env)), env) ?? [];
    const topology = def.declaresTopology
      ? await ensureTopology(nc, topologyOptionsOf(env))
      : await awaitTopology(nc, {
          consumers: [...bindings, ...(def.readsConsumers ?? [])].map(({ stream, consumer }) => ({ stream, consumer })),
          onWaiting: (missing) => logger.info({ missing }, 'waiting for the scanner to declare the streams and consumers'),
        });
    if (env.HTTP_PORT > 0) {
      http = await startHttpEndpoint({ port: env.HTTP_PORT, readiness: readinessOf(topology, connection), logger });
    }
    const module = def.module({ env, nc, topology, logger });
    if (bindings.length > 0) {
      const strategy = new JetStreamServer(nc, bindings, { logger, drainTimeoutMs: def.drainTimeoutMs?.(env) ?? 10_000 });
      const micro = await NestFactory.createMicroservice(module, { strategy, logger: new NestPinoLogger(logger) });
      micro.useGlobalFilters(new PassErrorsToSettlementFilter());
      await micro.listen();
      app = micro;
    } else {
      app = await NestFactory.createApplicationContext(module, { logger: new NestPinoLogger(logger) });
      await app.init();
    }
  } catch (error) {
    logger.fatal({ err: (error as Error).message }, 'start-up failed');
    process.stderr.write(`sluice ${def.name}: ${createSecretScrubber(secrets)((error as Error).message)}\n`);
    process.exit(1);
  }
  logger.info({ nats: describeServers(nats) }, `${def.name} ready`);
  void watchConnection(nc, logger, connection);

  stopOnSignals({ name: def.name, app, http, nc, logger });
}
