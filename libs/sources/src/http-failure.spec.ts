import { PermanentError } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { classifyHttpFailure } from './http-failure';

const x = { what: 'GET https://h.example/f.parquet', timeoutMs: 500, timedOut: false };
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('classifyHttpFailure', () => {
  it.each(['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID'])(
    'a certificate that cannot be trusted (%s) is permanent, with its code',
    (code) => {
      const e = classifyHttpFailure(nodeError(code, 'certificate problem'), x);
      expect(e).toMatchObject({ kind: 'permanent', code: 'http_tls_certificate' });
      expect(e.message).toBe(
        `GET https://h.example/f.parquet: the server's certificate cannot be trusted: ${code} (certificate problem); not retried. ` +
          'Fix the server, or trust a private CA with SOURCE_HTTP_CA_FILE',
      );
    },
  );

  it('connection failures and our own deadline are transient', () => {
    expect(classifyHttpFailure(nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), x)).toMatchObject({
      kind: 'transient',
      code: 'http_unreachable',
      message: 'GET https://h.example/f.parquet: connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(classifyHttpFailure(nodeError('ECONNRESET', 'socket hang up'), x).message).toBe('GET https://h.example/f.parquet: socket hang up (ECONNRESET)');
    expect(classifyHttpFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }), { ...x, timedOut: true })).toMatchObject({
      kind: 'transient',
      code: 'http_timeout',
      message: 'GET https://h.example/f.parquet: no complete answer within 500 ms',
    });
  });

  it('an error that already has a kind passes through', () => {
    const e = new PermanentError('http_redirect_refused', 'refused');
    expect(classifyHttpFailure(e, x)).toBe(e);
  });
});
