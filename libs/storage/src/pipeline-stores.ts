// The two stores a run writes to, opened once from options the service built from its parsed config: where
// production outputs are committed, and where `test_subset` writes (never the production prefix). Sources are libs/sources.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OutputTarget } from '@sluice/contracts';
import { openObjectStore } from './open-store';
import type { ObjectStore, S3ConnectionOptions } from './object-store';

/** The two locations (libs/config's sinkOptionsOf builds them from SINK_URL and TEST_SINK_URL). */
export interface SinkLocations {
  sinkUrl: string;
  testSinkUrl: string;
}

export class PipelineStores {
  constructor(
    readonly sink: ObjectStore,
    readonly testSink: ObjectStore,
  ) {}

  output(target: OutputTarget): ObjectStore {
    return target === 'test' ? this.testSink : this.sink;
  }
}

export function openPipelineStores(locations: SinkLocations, s3: S3ConnectionOptions): PipelineStores {
  return new PipelineStores(openSink(locations.sinkUrl, s3), openSink(locations.testSinkUrl, s3));
}

/** A sink folder that does not exist yet is created: an empty sink is the normal first state. */
function openSink(url: string, s3: S3ConnectionOptions): ObjectStore {
  const store = openObjectStore(url, s3);
  if (url.startsWith('file:')) mkdirSync(fileURLToPath(url), { recursive: true });
  return store;
}
