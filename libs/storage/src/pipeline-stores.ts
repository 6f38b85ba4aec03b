// The two stores a run writes to, opened once from options the service built from its parsed config: where
// production outputs are committed, and where `test_subset` writes (never the production prefix). Sources are libs/sources.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OutputTarget } from '@sluice/contracts';
import { openObjectStore } from './open-store';
import type { ObjectStore, S3ConnectionOptions } from './object-store';

export interface S3Config {
  S3_ENDPOINT?: string;
  AWS_REGION: string;
  S3_FORCE_PATH_STYLE?: boolean;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  AWS_SESSION_TOKEN?: string;
  S3_REQUEST_TIMEOUT_MS?: number;
}

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

export function s3OptionsFromEnv(env: S3Config): S3ConnectionOptions {
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.AWS_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
    requestTimeoutMs: env.S3_REQUEST_TIMEOUT_MS,
  };
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
