// A worker kept in the middle of a file for as long as a test needs, whatever the file's size and the machine's load:
// the fault proxy holds the services' next read (GET) of a source file until the test releases it. A `started` file
// event comes before that read, the commit after it, so once the held read has arrived the file is in progress and
// stays so: the test signals or kills the worker, then releases the read. No big file raced against the clock.
import { SOURCE_BUCKET, SOURCE_PREFIX, type PipelineHarness } from './pipeline-harness';
import { waitFor } from './wait-for';

export interface HeldSourceRead {
  /** Resolves with the source key (e.g. `fhvhv_tripdata_2024-05.parquet`) once its read is held in the proxy. */
  arrived(): Promise<string>;
  /** Lets the held read through (to upstream: answered, or dropped if its client has gone). */
  release(): void;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Holds the next GET of `key` (default: of any fhvhv source file) the services send through the harness's fault proxy
 * (`startPipelineHarness({ s3FaultProxy: true })`); later reads go through. The scanner only lists and heads the
 * source: the read held is a transformer's download of the file it has started.
 */
export function holdSourceRead(h: PipelineHarness, key?: string): HeldSourceRead {
  const proxy = h.proxy;
  if (!proxy) throw new Error('holdSourceRead needs a harness started with s3FaultProxy: true');
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  const file = key === undefined ? 'fhvhv_tripdata_[^/]+\\.parquet' : escapeRegExp(key);
  const path = new RegExp(`^/${SOURCE_BUCKET}/${escapeRegExp(SOURCE_PREFIX)}(${file})$`);
  proxy.add({ method: 'GET', path, fault: { kind: 'hold', until }, times: 1 });
  return {
    arrived: () =>
      waitFor(() => proxy.injected.map((i) => (i.fault === 'hold' ? path.exec(i.path)?.[1] : undefined)).find(Boolean), {
        what: `a held read of ${key ?? 'a source file'}`,
        timeoutMs: 30_000,
      }),
    release,
  };
}
