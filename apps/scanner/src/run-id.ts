import { runIdStamp } from '@sluice/contracts';

/**
 * A run id derived from the request's stream position, so a redelivered `pipeline.run` resumes the same run
 * (and its Msg-Ids de-duplicate) instead of starting a second one: `r20261125-201850-42`.
 */
export function runIdFor(storedAtMs: number, streamSequence: number): string {
  return `r${runIdStamp(storedAtMs)}-${streamSequence}`;
}
