// Turns an AWS SDK v3 failure into a TransientError (retry later) or PermanentError (fail the item).
// The SDK has already retried what it considers retryable (maxAttempts) by the time we see the error.
import { PermanentError, PipelineError, TransientError } from '@sluice/contracts';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  Code?: string;
}

const PERMANENT_BY_NAME: Record<string, string> = {
  AccessDenied: 'access_denied',
  AllAccessDisabled: 'access_denied',
  AccountProblem: 'access_denied',
  NoSuchBucket: 'no_such_bucket',
  NoSuchKey: 'not_found',
  NotFound: 'not_found',
  InvalidAccessKeyId: 'invalid_credentials',
  SignatureDoesNotMatch: 'invalid_credentials',
  ExpiredToken: 'invalid_credentials',
  InvalidToken: 'invalid_credentials',
  PreconditionFailed: 'source_changed',
  InvalidRange: 'invalid_range',
  InvalidObjectState: 'invalid_object_state',
  EntityTooLarge: 'entity_too_large',
};

const THROTTLING_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
]);

const TRANSIENT_NAMES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'RequestTimeTooSkewed',
  'OperationAborted',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

/**
 * @param action what we were doing, e.g. `GET s3://bucket/prefix/trip data/x.parquet`
 */
export function classifyS3Error(error: unknown, action: string): PipelineError {
  if (error instanceof PipelineError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const name = e.name ?? e.Code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = describe(name, status, e.message);
  const message = `${action} failed: ${detail}`;

  const permanentCode = PERMANENT_BY_NAME[name] ?? permanentCodeForStatus(status);
  if (permanentCode) return new PermanentError(permanentCode, message, { cause: error });
  if (THROTTLING_NAMES.has(name) || status === 429 || status === 503)
    return new TransientError('storage_throttled', message, { cause: error });
  if (TRANSIENT_NAMES.has(name) || (status !== undefined && status >= 500) || isNetworkError(e))
    return new TransientError('storage_unavailable', message, { cause: error });
  if (status !== undefined && status >= 400) return new PermanentError('storage_rejected', message, { cause: error });
  // No HTTP status and nothing we recognise: most likely the connection; retrying is the safe default.
  return new TransientError('storage_unavailable', message, { cause: error });
}

function permanentCodeForStatus(status: number | undefined): string | undefined {
  switch (status) {
    case 401:
    case 403:
      return 'access_denied';
    case 404:
      return 'not_found';
    case 412:
      return 'source_changed';
    case 416:
      return 'invalid_range';
    default:
      return undefined;
  }
}

function isNetworkError(e: SdkErrorShape): boolean {
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  const cause = (e as { cause?: SdkErrorShape }).cause;
  if (cause?.code && NETWORK_CODES.has(cause.code)) return true;
  return e.name === 'AbortError' || e.name === 'TimeoutError';
}

function describe(name: string, status: number | undefined, message: string | undefined): string {
  const parts = [name];
  if (status !== undefined) parts.push(`(HTTP ${status})`);
  // SDK messages never contain credentials; some servers answer with a bare "UnknownError" message.
  if (message && message !== name && message !== 'UnknownError') parts.push(`- ${message}`);
  return parts.join(' ');
}
