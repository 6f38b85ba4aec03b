// One HTTP request of a source: redirects followed only as redirect-policy.ts allows, a deadline per attempt (body
// included, since the caller reads it inside the attempt), retried with exponential backoff while the failure may
// clear up (5xx, 429, timeouts, connection errors). What a 2xx/3xx/4xx means is the caller's to decide.
import { PermanentError, PipelineError, TransientError } from '@sluice/contracts';
import { backOff } from 'exponential-backoff';
import { classifyHttpFailure } from './http-failure';
import { describeStatus, HttpTransport, type ExchangeInit, type HttpAnswer } from './http-exchange';
import { decideRedirect, isRedirect, printableUrl } from './redirect-policy';

export type { HttpAnswer } from './http-exchange';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** Deadline of one attempt, body included. */
  timeoutMs: number;
  /** First backoff delay; doubles each time, with full jitter. */
  baseDelayMs?: number;
}

export interface HttpPolicy extends RetryPolicy {
  /** Hosts (`name` or `name:port`) a redirect may lead to besides the source's own, over https (SOURCE_HTTP_REDIRECT_HOSTS). */
  redirectHosts?: readonly string[];
  /** A PEM file of CA certificates trusted besides Node's default ones (SOURCE_HTTP_CA_FILE). */
  caFile?: string;
}

const isRetryableStatus = (status: number) => status >= 500 || status === 429;

export class HttpClient {
  private readonly transport: HttpTransport;

  /** source: the configured URL, whose host is "the same host" for redirects. */
  constructor(
    private readonly source: URL,
    private readonly policy: HttpPolicy,
  ) {
    this.transport = new HttpTransport({ caFile: policy.caFile });
  }

  /**
   * `accept` runs inside the attempt (its deadline covers reading the body) and decides what the answer means; its
   * transient failures are retried too. A 5xx or 429 never reaches it.
   */
  request<T>(url: string, init: ExchangeInit, accept: (answer: HttpAnswer) => Promise<T>): Promise<T> {
    return backOff(() => this.attempt(new URL(url), init, accept), {
      numOfAttempts: Math.max(1, this.policy.attempts),
      startingDelay: this.policy.baseDelayMs ?? 250,
      timeMultiple: 2,
      maxDelay: 5_000,
      jitter: 'full',
      retry: (error: unknown) => error instanceof PipelineError && error.kind === 'transient',
    });
  }

  private async attempt<T>(url: URL, init: ExchangeInit, accept: (answer: HttpAnswer) => Promise<T>): Promise<T> {
    const what = `${init.method} ${printableUrl(url)}`;
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort();
    }, this.policy.timeoutMs);
    let answer: HttpAnswer | undefined;
    init.signal?.throwIfAborted();
    const signal = init.signal ? AbortSignal.any([deadline.signal, init.signal]) : deadline.signal;
    try {
      answer = await this.follow(url, init, signal);
      if (isRetryableStatus(answer.status)) {
        throw new TransientError('http_unavailable', `${init.method} ${printableUrl(answer.url)}: ${await describeStatus(answer)}`);
      }
      return await accept(answer);
    } catch (error) {
      answer?.body.destroy();
      if (init.signal?.aborted) throw init.signal.reason;
      throw classifyHttpFailure(error, { what, timeoutMs: this.policy.timeoutMs, timedOut });
    } finally {
      clearTimeout(timer);
    }
  }

  private async follow(url: URL, init: ExchangeInit, signal: AbortSignal): Promise<HttpAnswer> {
    for (let hops = 0, at = url; ; hops += 1) {
      const answer = await this.transport.exchange(at, init, signal);
      if (!isRedirect(answer.status)) return answer;
      answer.body.destroy();
      const location = answer.headers.location;
      const decision = decideRedirect({ source: this.source, from: at, status: answer.status, location, hops, allowedHosts: this.policy.redirectHosts ?? [] });
      if ('refuse' in decision) {
        throw new PermanentError('http_redirect_refused', `${init.method} ${printableUrl(url)}: refused to follow ${decision.refuse}`);
      }
      at = decision.follow;
    }
  }
}

/** For an answer the caller did not expect: a clear permanent error naming the status (and the start of a text body). */
export async function unexpectedStatus(answer: HttpAnswer, method: string): Promise<PermanentError> {
  return new PermanentError('http_unexpected_status', `${method} ${printableUrl(answer.url)}: unexpected ${await describeStatus(answer)}`);
}
