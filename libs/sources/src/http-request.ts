// One HTTP request with a deadline, retried with exponential backoff while the failure may clear up
// (5xx, 429, timeouts, connection errors). Anything else is the caller's to interpret.
import { PermanentError, TransientError, PipelineError } from '@sluice/contracts';
import { backOff } from 'exponential-backoff';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** Deadline of one attempt, body included. */
  timeoutMs: number;
  /** First backoff delay; doubles each time, with full jitter. */
  baseDelayMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

const isRetryableStatus = (status: number) => status >= 500 || status === 429;

export async function requestWithRetries(url: string, init: RequestInit, policy: RetryPolicy): Promise<HttpAnswer> {
  return backOff(
    async () => {
      let response: Response;
      let body: Uint8Array;
      try {
        response = await fetch(url, { ...init, signal: AbortSignal.timeout(policy.timeoutMs), redirect: 'follow' });
        body = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        const reason = describeFetchError(error, policy.timeoutMs);
        throw new TransientError(reason.code, `${init.method ?? 'GET'} ${url}: ${reason.message}`, { cause: error });
      }
      if (isRetryableStatus(response.status)) {
        throw new TransientError('http_unavailable', `${init.method ?? 'GET'} ${url}: HTTP ${response.status}`);
      }
      return { status: response.status, headers: response.headers, body };
    },
    {
      numOfAttempts: Math.max(1, policy.attempts),
      startingDelay: policy.baseDelayMs ?? 250,
      timeMultiple: 2,
      maxDelay: 5_000,
      jitter: 'full',
      retry: (error: unknown) => error instanceof PipelineError && error.kind === 'transient',
    },
  );
}

function describeFetchError(error: unknown, timeoutMs: number): { code: string; message: string } {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { code: 'http_timeout', message: `no complete answer within ${timeoutMs} ms` };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return { code: 'http_unreachable', message: cause ? `${e?.message ?? 'fetch failed'} (${cause})` : (e?.message ?? String(error)) };
}

/** For callers that must not retry an unexpected answer: a clear permanent error naming the status. */
export function unexpectedStatus(method: string, url: string, status: number): PermanentError {
  return new PermanentError('http_unexpected_status', `${method} ${url}: unexpected HTTP ${status}`);
}
