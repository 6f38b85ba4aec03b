// What a service's /ready answers.
import { STREAMS } from '@sluice/contracts';
import type { Topology } from '@sluice/messaging';
import type { Readiness } from '@sluice/observability';

/** Ready = connected to NATS and every stream exists (checked at most every few seconds). */
export function readinessOf(topology: Topology, connection: { up: boolean }): () => Promise<Readiness> {
  let cached: { at: number; streams: Record<string, boolean> } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.at > 5_000) {
      const streams: Record<string, boolean> = {};
      for (const name of Object.values(STREAMS)) {
        streams[name] = connection.up ? await topology.jsm.streams.info(name).then(() => true, () => false) : false;
      }
      cached = { at: Date.now(), streams };
    }
    const checks = { nats: connection.up, ...cached.streams };
    return { ready: Object.values(checks).every(Boolean), checks };
  };
}
