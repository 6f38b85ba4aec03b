import { Module, type DynamicModule } from '@nestjs/common';
import type { TransformerEnv } from '@sluice/config';
import { LOGGER, Publisher, RunStore, SERVICE_ENV, type ServiceDeps } from '@sluice/messaging';
import { openSourceFromEnv, SOURCE } from '@sluice/sources';
import { openPipelineStores, PipelineStores } from '@sluice/storage';
import { FileWorker } from './file.worker';
import { TaskProtection } from './task-protection';

@Module({})
export class TransformerModule {
  static forRoot({ env, nc, topology, logger }: ServiceDeps<TransformerEnv>): DynamicModule {
    return {
      module: TransformerModule,
      controllers: [FileWorker],
      providers: [
        { provide: SERVICE_ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: Publisher, useValue: new Publisher(nc) },
        { provide: RunStore, useValue: new RunStore(topology.runs) },
        { provide: PipelineStores, useValue: openPipelineStores(env) },
        { provide: SOURCE, useValue: openSourceFromEnv(env) },
        TaskProtection,
      ],
    };
  }
}
