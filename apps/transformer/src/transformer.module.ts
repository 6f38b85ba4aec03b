import { Module, type DynamicModule } from '@nestjs/common';
import { sinkOptionsOf, type TransformerEnv } from '@sluice/config';
import type { ServiceDeps } from '@sluice/lifecycle';
import { LOGGER, Publisher, SERVICE_ENV } from '@sluice/messaging';
import { RunReader } from '@sluice/run-state';
import { openSourceFromEnv, SOURCE } from '@sluice/sources';
import { openPipelineStores, PipelineStores, s3OptionsFromEnv } from '@sluice/storage';
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
        { provide: RunReader, useValue: new RunReader(topology.runs) },
        { provide: PipelineStores, useValue: openPipelineStores(sinkOptionsOf(env), s3OptionsFromEnv(env)) },
        { provide: SOURCE, useValue: openSourceFromEnv(env) },
        TaskProtection,
      ],
    };
  }
}
