// What a failed HTTP exchange means for the pipeline: a certificate that cannot be trusted stays so however often we
// ask (permanent, never retried); a timeout, a reset or a refused connection may clear up (transient).
import { PermanentError, PipelineError, TransientError } from '@sluice/contracts';

/** OpenSSL verification results and Node's host-name check, as Node reports them in error.code. */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export const isCertificateError = (code: string | undefined): boolean => code !== undefined && CERTIFICATE_CODES.has(code);

export interface FailedExchange {
  /** `GET https://host/path` (never a query). */
  what: string;
  timeoutMs: number;
  /** The attempt's own deadline fired (the abort is ours, not the server's). */
  timedOut: boolean;
}

/** A PipelineError passes through; anything else thrown by the transport is classified. */
export function classifyHttpFailure(error: unknown, x: FailedExchange): PipelineError {
  if (error instanceof PipelineError) return error;
  const e = error as { name?: string; code?: string; message?: string };
  if (x.timedOut || e?.name === 'AbortError' || e?.name === 'TimeoutError') {
    return new TransientError('http_timeout', `${x.what}: no complete answer within ${x.timeoutMs} ms`, { cause: error });
  }
  if (isCertificateError(e?.code)) {
    return new PermanentError(
      'http_tls_certificate',
      `${x.what}: the server's certificate cannot be trusted: ${e.code} (${e.message}); not retried. ` +
        'Fix the server, or trust a private CA with SOURCE_HTTP_CA_FILE',
      { cause: error },
    );
  }
  const detail = e?.message ?? String(error);
  return new TransientError('http_unreachable', `${x.what}: ${e?.code && !detail.includes(e.code) ? `${detail} (${e.code})` : detail}`, { cause: error });
}
