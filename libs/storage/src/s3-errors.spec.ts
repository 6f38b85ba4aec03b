import { PermanentError, TransientError } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { classifyS3Error } from './s3-errors';

function sdkError(name: string, status?: number, message = `${name} happened`) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('classifyS3Error', () => {
  it.each([
    ['NoSuchBucket', 404, 'no_such_bucket'],
    ['AccessDenied', 403, 'access_denied'],
    ['InvalidAccessKeyId', 403, 'invalid_credentials'],
    ['SignatureDoesNotMatch', 403, 'invalid_credentials'],
    ['PreconditionFailed', 412, 'source_changed'],
    ['Unknown', 412, 'source_changed'],
    ['Forbidden', 403, 'access_denied'],
    ['InvalidRange', 416, 'invalid_range'],
    ['MalformedXML', 400, 'storage_rejected'],
  ])('%s (HTTP %s) is permanent with code %s', (name, status, code) => {
    const error = classifyS3Error(sdkError(name, status), 'GET s3://b/p/k');
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe(code);
  });

  it.each([
    ['SlowDown', 503, 'storage_throttled'],
    ['Throttling', 400, 'storage_throttled'],
    ['TooManyRequestsException', 429, 'storage_throttled'],
    ['InternalError', 500, 'storage_unavailable'],
    ['BadGateway', 502, 'storage_unavailable'],
    ['RequestTimeout', 400, 'storage_unavailable'],
    ['TimeoutError', undefined, 'storage_unavailable'],
  ])('%s (HTTP %s) is transient with code %s', (name, status, code) => {
    const error = classifyS3Error(sdkError(name, status), 'GET s3://b/p/k');
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe(code);
  });

  it('treats connection failures as transient', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(classifyS3Error(refused, 'LIST s3://b/')).toBeInstanceOf(TransientError);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyS3Error(reset, 'LIST s3://b/').code).toBe('storage_unavailable');
  });

  it('says what was attempted and why, and keeps the SDK error as cause', () => {
    const original = sdkError('NoSuchBucket', 404, 'The specified bucket does not exist');
    const error = classifyS3Error(original, 'LIST s3://missing/prefix/');
    expect(error.message).toBe(
      'LIST s3://missing/prefix/ failed: NoSuchBucket (HTTP 404) - The specified bucket does not exist',
    );
    expect(error.cause).toBe(original);
  });

  it('passes already classified errors through', () => {
    const classified = new PermanentError('source_changed', 'changed');
    expect(classifyS3Error(classified, 'GET')).toBe(classified);
  });
});
