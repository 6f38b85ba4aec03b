/**
 * A run id derived from the request's stream position, so a redelivered `pipeline.run` resumes the same run
 * (and its Msg-Ids de-duplicate) instead of starting a second one: `r20261125-201850-42`.
 */
export function runIdFor(storedAtMs: number, streamSequence: number): string {
  const iso = new Date(storedAtMs).toISOString(); // 2026-11-25T20:18:50.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `r${stamp}-${streamSequence}`;
}
