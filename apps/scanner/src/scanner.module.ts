import { Module, type DynamicModule } from '@nestjs/common';
import { s3OptionsOf, sinkOptionsOf, sourceOptionsOf, type ScannerEnv } from '@sluice/config';
import type { ServiceDeps } from '@sluice/lifecycle';
import { JETSTREAM_MANAGER, LOGGER, NATS_CONNECTION, Publisher, SERVICE_ENV } from '@sluice/messaging';
import { RunWriter } from '@sluice/run-state/writer';
import { openConfiguredSource, SOURCE } from '@sluice/sources';
import { openPipelineStores, PipelineStores } from '@sluice/storage';
import { PlanResponder } from './plan.responder';
import { RunCompletion } from './run-completion';
import { RunLease } from './run-lease';
import { RunWatchdog } from './run-watchdog';
import { RunPlanning } from './run-planning';
import { RunSchedule } from './run-schedule';
import { RunHandler } from './run.handler';
import { RunTracker } from './run-tracker';
import { WorkAdvisoryHandler } from './work-advisory.handler';

@Module({})
export class ScannerModule {
  static forRoot({ env, nc, topology, logger }: ServiceDeps<ScannerEnv>): DynamicModule {
    const s3 = s3OptionsOf(env);
    return {
      module: ScannerModule,
      controllers: [RunHandler, RunTracker, WorkAdvisoryHandler],
      providers: [
        { provide: SERVICE_ENV, useValue: env },
        { provide: LOGGER, useValue: logger },
        { provide: JETSTREAM_MANAGER, useValue: topology.jsm },
        { provide: Publisher, useValue: new Publisher(nc) },
        { provide: RunWriter, useValue: new RunWriter(topology.runs) },
        { provide: NATS_CONNECTION, useValue: nc },
        { provide: PipelineStores, useValue: openPipelineStores(sinkOptionsOf(env), s3) },
        { provide: SOURCE, useValue: openConfiguredSource(sourceOptionsOf(env), s3) },
        RunCompletion,
        RunLease,
        RunWatchdog,
        RunPlanning,
        PlanResponder,
        RunSchedule,
      ],
    };
  }
}
