import { runIdStamp } from '@sluice/contracts';

/**
 * A run id the CLI picks so it can follow its own run from the first event: `cli-20261125-201850-a1b2`
 * (four random hex digits, so two runs requested in the same second differ).
 */
export function newRunId(now = new Date(), random: () => number = Math.random): string {
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `cli-${runIdStamp(now)}-${suffix}`;
}
