// The scanner: plans runs, enqueues their files, tracks them to completion.
import '@sluice/lifecycle/compile-cache';
import 'reflect-metadata';
import { scannerEnvSchema } from '@sluice/config';
import { runService } from '@sluice/lifecycle';
import { scannerBindings } from './consumer-bindings';
import { ScannerModule } from './scanner.module';

void runService({
  name: 'scanner',
  envSchema: scannerEnvSchema,
  module: (deps) => ScannerModule.forRoot(deps),
  declaresTopology: true,
  bindings: (consumers) => scannerBindings(consumers),
});
