// Every failure that crosses a module boundary says whether retrying can help.
// The settlement module (libs/messaging) turns the kind into ack / nak(delay) / term / dead letter.

export type ErrorKind = 'transient' | 'permanent';

export class PipelineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Short machine-readable reason, e.g. `not_parquet`, `s3_unavailable`, `invalid_message`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = kind === 'transient' ? 'TransientError' : 'PermanentError';
  }
}

export class TransientError extends PipelineError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('transient', code, message, options);
  }
}

export class PermanentError extends PipelineError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('permanent', code, message, options);
  }
}

/** Unknown errors are treated as transient: a bounded number of retries, then a dead letter. */
export function errorKindOf(error: unknown): ErrorKind {
  return error instanceof PipelineError ? error.kind : 'transient';
}

export function errorCodeOf(error: unknown): string {
  return error instanceof PipelineError ? error.code : 'unexpected';
}

export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
