// The start-up and shut-down every sluice service shares: config → logger → NATS → topology → Nest → signals.
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigError, exitOnUnsupportedRuntime, loadEnv } from '@sluice/config';
import { STREAMS, type DurableRef } from '@sluice/contracts';
import {
  createLogger,
  createSecretScrubber,
  NestPinoLogger,
  secretValuesOf,
  startHttpEndpoint,
  type HttpEndpoint,
  type Logger,
  type Readiness,
} from '@sluice/observability';
import type { z } from 'zod';
import { connectNats, describeServers, type NatsConfig } from './connection';
import { JetStreamServer, type PullBinding } from './jetstream.server';
import { PassErrorsToSettlementFilter } from './rpc-errors.filter';
import { awaitTopology, consumerTopology, ensureTopology, topologyOptionsOf, type ConsumerTopology, type Topology } from './topology';

export interface ServiceDeps<E> {
  env: E;
  nc: NatsConnection;
  topology: Topology;
  logger: Logger;
}

interface BaseEnv extends NatsConfig {
  LOG_LEVEL: string;
  HTTP_PORT: number;
  LOG_FORMAT?: 'json' | 'pretty';
  WORK_ACK_WAIT_MS: number;
  WORK_MAX_DELIVER: number;
  CONTROL_ACK_WAIT_MS: number;
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
  let app: INestApplicationContext;
  let nc: NatsConnection;
  let http: HttpEndpoint | undefined;
  const connection = { up: false };
  try {
    nc = await connectNats(env, `sluice-${def.name}`);
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
  logger.info({ nats: describeServers(env) }, `${def.name} ready`);
  void watchConnection(nc, logger, connection);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${def.name} stopping`);
    try {
      await app.close();
      await http?.close();
      await nc.drain();
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'unclean shutdown');
    }
    logger.info(`${def.name} stopped`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  void nc.closed().then((error) => {
    if (stopping) return;
    logger.fatal({ err: error?.message }, 'NATS connection closed for good');
    process.exit(1);
  });
}

async function watchConnection(nc: NatsConnection, logger: Logger, connection: { up: boolean }): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') {
      connection.up = false;
      logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
    } else if (status.type === 'reconnect') {
      connection.up = true;
      logger.info({ server: status.server }, 'NATS reconnected');
    }
    else if (status.type === 'error') logger.warn({ err: String(status.error) }, 'NATS error');
  }
}

/** Ready = connected to NATS and every stream exists (checked at most every few seconds). */
function readinessOf(topology: Topology, connection: { up: boolean }): () => Promise<Readiness> {
  let cached: { at: number; streams: Record<string, boolean> } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.at > 5_000) {
      const streams: Record<string, boolean> = {};
      for (const name of Object.values(STREAMS)) {
        streams[name] = connection.up ? await topology.jsm.streams.info(name).then(() => true, () => false) : false;
      }
      cached = { at: Date.now(), streams };
    }
    const checks = { nats: connection.up, ...cached.streams };
    return { ready: Object.values(checks).every(Boolean), checks };
  };
}
