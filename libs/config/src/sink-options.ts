// Where a service writes, built once from its parsed environment: what libs/storage's openPipelineStores takes.
export interface SinkOptions {
  /** Where production outputs are committed (SINK_URL). */
  sinkUrl: string;
  /** Where `test_subset` writes (TEST_SINK_URL); never the sink itself, which the env schema refuses. */
  testSinkUrl: string;
}

/** TEST_SINK_URL defaults to `<SINK_URL>/_test`. */
export function sinkOptionsOf(env: { SINK_URL: string; TEST_SINK_URL?: string }): SinkOptions {
  return { sinkUrl: env.SINK_URL, testSinkUrl: env.TEST_SINK_URL ?? `${env.SINK_URL.replace(/\/+$/, '')}/_test` };
}
