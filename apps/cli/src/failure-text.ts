// How the CLI prints a file's failure: `code: reason`, the same text whether it comes from a run record or an event.
import type { FileFailure } from '@sluice/contracts';

export function describeFailure(failure: Pick<FileFailure, 'code' | 'reason'>): string {
  return `${failure.code}: ${failure.reason}`;
}
