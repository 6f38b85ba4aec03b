import { Module, type DynamicModule } from '@nestjs/common';
import { s3OptionsOf, sinkOptionsOf, sourceOptionsOf, type TransformerEnv } from '@sluice/config';
import type { ServiceDeps } from '@sluice/lifecycle';
import { LOGGER, Publisher, SERVICE_ENV } from '@sluice/messaging';
import { RunReader } from '@sluice/run-state';
import { openConfiguredSource, SOURCE } from '@sluice/sources';
import { openPipelineStores, PipelineStores } from '@sluice/storage';
import { FileWorker } from './file.worker';
import { TaskProtection } from './task-protection';

@Module({})
export class TransformerModule {
  static forRoot({ env, nc, topology, logger }: ServiceDeps<TransformerEnv>): DynamicModule {
    const s3 = s3OptionsOf(env);
    return {
      module: TransformerModule,
      controllers: [FileWorker],
      providers: [
        { provide: SERVICE_ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: Publisher, useValue: new Publisher(nc) },
        { provide: RunReader, useValue: new RunReader(topology.runs) },
        { provide: PipelineStores, useValue: openPipelineStores(sinkOptionsOf(env), s3) },
        { provide: SOURCE, useValue: openConfiguredSource(sourceOptionsOf(env), s3) },
        TaskProtection,
      ],
    };
  }
}
