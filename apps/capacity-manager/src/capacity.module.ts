import { resolve } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { EcsBackend, LocalBackend, type CapacityBackend, type ScalingConfig } from '@sluice/capacity';
import type { CapacityEnv } from '@sluice/config';
import type { ServiceDeps } from '@sluice/lifecycle';
import { JETSTREAM_MANAGER, LOGGER, NATS_CONNECTION, Publisher } from '@sluice/messaging';
import type { Logger } from '@sluice/observability';
import { BacklogWatcher, CAPACITY_BACKEND, POLL_INTERVAL_MS, SCALING_CONFIG } from './backlog-watcher';

/** The transformer of this same build: dist/apps/capacity-manager/src → dist/apps/transformer/src/main.js. */
function defaultTransformerCommand(): string[] {
  return [process.execPath, resolve(__dirname, '../../transformer/src/main.js')];
}

function createBackend(env: CapacityEnv, logger: Logger, onWorkerExit: () => void): CapacityBackend {
  if (env.CAPACITY_BACKEND === 'ecs') {
    return new EcsBackend({
      cluster: env.ECS_CLUSTER!,
      service: env.ECS_SERVICE!,
      cooldownMs: env.SCALE_COOLDOWN_MS,
      logger: logger.child({ component: 'ecs-backend' }),
      clientConfig: { region: env.AWS_REGION, endpoint: env.ECS_ENDPOINT },
    });
  }
  return new LocalBackend({
    command: env.TRANSFORMER_COMMAND ? env.TRANSFORMER_COMMAND.split(/\s+/).filter(Boolean) : defaultTransformerCommand(),
    workerNatsSeedFile: env.WORKER_NATS_NKEY_SEED_FILE,
    logger: logger.child({ component: 'local-backend' }),
    killAfterMs: env.WORKER_KILL_AFTER_MS,
    onExit: (_pid, _code, _signal, expected) => {
      if (!expected) onWorkerExit();
    },
  });
}

@Module({})
export class CapacityModule {
  static forRoot({ env, nc, topology, logger }: ServiceDeps<CapacityEnv>): DynamicModule {
    const scaling: ScalingConfig = {
      min: env.WORKERS_MIN,
      max: env.WORKERS_MAX,
      filesPerWorker: env.FILES_PER_WORKER,
      idleTimeoutMs: env.IDLE_TIMEOUT_MS,
    };
    const watcher = { ref: undefined as BacklogWatcher | undefined };
    const backend = createBackend(env, logger, () => watcher.ref?.nudge());
    return {
      module: CapacityModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: NATS_CONNECTION, useValue: nc },
        { provide: JETSTREAM_MANAGER, useValue: topology.jsm },
        { provide: Publisher, useValue: new Publisher(nc) },
        { provide: CAPACITY_BACKEND, useValue: backend },
        { provide: SCALING_CONFIG, useValue: scaling },
        { provide: POLL_INTERVAL_MS, useValue: env.POLL_INTERVAL_MS },
        {
          provide: BacklogWatcher,
          useFactory: (...deps: ConstructorParameters<typeof BacklogWatcher>) => (watcher.ref = new BacklogWatcher(...deps)),
          inject: [CAPACITY_BACKEND, SCALING_CONFIG, POLL_INTERVAL_MS, JETSTREAM_MANAGER, NATS_CONNECTION, Publisher, LOGGER],
        },
      ],
    };
  }
}
