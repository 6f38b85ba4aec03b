import { Module, type DynamicModule } from '@nestjs/common';
import { sinkOptionsOf, type ScannerEnv } from '@sluice/config';
import type { ServiceDeps } from '@sluice/lifecycle';
import { JETSTREAM_MANAGER, LOGGER, NATS_CONNECTION, Publisher, SERVICE_ENV } from '@sluice/messaging';
import { RunWriter } from '@sluice/run-state/writer';
import { openSourceFromEnv, SOURCE } from '@sluice/sources';
import { openPipelineStores, PipelineStores, s3OptionsFromEnv } from '@sluice/storage';
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
        { provide: PipelineStores, useValue: openPipelineStores(sinkOptionsOf(env), s3OptionsFromEnv(env)) },
        { provide: SOURCE, useValue: openSourceFromEnv(env) },
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
