import { describe, expect, it } from 'vitest';
import { createSecretScrubber, redactUrlCredentials, REDACTED, secretValuesOf } from './redaction';

describe('redactUrlCredentials', () => {
  it.each([
    ['GET https://user:pa55word@host/trip data/x.parquet failed: 403', 'GET https://host/trip data/x.parquet failed: 403'],
    ['endpoint http://AKIDEXAMPLE:wJalrXUtnFEMI@minio:9000 unreachable', 'endpoint http://minio:9000 unreachable'],
    ['at nats://a:p@ss@h1:4222,nats://tok@h2', 'at nats://h1:4222,nats://h2'],
    ['ws://u:p@127.0.0.1:8080/nats and tls://t0ken@h', 'ws://127.0.0.1:8080/nats and tls://h'],
    ['{"url":"s3://bucket/key@v2"}', '{"url":"s3://bucket/key@v2"}'], // an @ in a path is not user-info
    ['mail alice@example.com', 'mail alice@example.com'],
  ])('%s', (text, expected) => {
    expect(redactUrlCredentials(text)).toBe(expected);
  });
});

describe('secretValuesOf', () => {
  const files: Record<string, string> = {
    '/seed.nk': 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4\n',
    '/worker.nk': 'SUAGMJH5XLGZKQQWAWKRZJIGMOU4HPFUYLXJMXOO5NLFEO2ZJ7CFSZYKNA\n',
    '/user.creds': [
      '-----BEGIN NATS USER JWT-----',
      'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJBQkMifQ.c2lnbmF0dXJl',
      '------END NATS USER JWT------',
      '-----BEGIN USER NKEY SEED-----',
      'SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY',
      '------END USER NKEY SEED------',
    ].join('\n'),
  };
  const read = (path: string) => {
    if (!(path in files)) throw new Error(`ENOENT ${path}`);
    return files[path];
  };

  it('collects credential keys, URL passwords and tokens, and the seeds and JWT of seed files (the workers\' too) and creds files', () => {
    const secrets = secretValuesOf(
      {
        NATS_URL: 'nats://alice:url-pa55@h1,tok3n-in-url@h2',
        NATS_PASSWORD: 'nats-pa55',
        NATS_TOKEN: 'nats-t0ken',
        NATS_USER: 'alice',
        AWS_ACCESS_KEY_ID: 'AKIDMARKER',
        AWS_SECRET_ACCESS_KEY: 'secret-key',
        AWS_SESSION_TOKEN: 'session-token',
        S3_ENDPOINT: 'http://minio-user:minio-pa55@minio:9000',
        NATS_NKEY_SEED_FILE: '/seed.nk',
        WORKER_NATS_NKEY_SEED_FILE: '/worker.nk',
        NATS_NKEY_SEED: 'SUAJ5LVOIHJBRKPQ5CTDPMWAYKNZ6HQ7YVGDNQ7YJRBWNKSOKH5PZ6WOJQ',
        NATS_CREDS_FILE: '/user.creds',
        LOG_LEVEL: 'info',
      },
      read,
    );
    expect(secrets.sort()).toEqual(
      [
        'url-pa55',
        'tok3n-in-url',
        'nats-pa55',
        'nats-t0ken',
        'AKIDMARKER',
        'secret-key',
        'session-token',
        'minio-pa55',
        'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4',
        'SUAGMJH5XLGZKQQWAWKRZJIGMOU4HPFUYLXJMXOO5NLFEO2ZJ7CFSZYKNA',
        'SUAJ5LVOIHJBRKPQ5CTDPMWAYKNZ6HQ7YVGDNQ7YJRBWNKSOKH5PZ6WOJQ',
        'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJBQkMifQ.c2lnbmF0dXJl',
        'SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY',
      ].sort(),
    );
  });

  it('skips a file it cannot read, and empty values', () => {
    expect(secretValuesOf({ NATS_CREDS_FILE: '/missing.creds', NATS_PASSWORD: '' }, read)).toEqual([]);
  });
});

describe('createSecretScrubber', () => {
  const scrub = createSecretScrubber(['pa"ss\\word-1', 'session-token-abc', 'pw']);

  it('masks a secret raw, JSON-escaped, base64, base64url and percent-encoded', () => {
    const b64 = Buffer.from('session-token-abc').toString('base64');
    expect(scrub(`x-amz-security-token: session-token-abc; ${b64}; ${encodeURIComponent('pa"ss\\word-1')}`)).toBe(
      `x-amz-security-token: ${REDACTED}; ${REDACTED}; ${REDACTED}`,
    );
    expect(scrub(JSON.stringify({ err: 'auth pa"ss\\word-1 rejected' }))).toBe(`{"err":"auth ${REDACTED} rejected"}`);
  });

  it('leaves values too short to be secrets alone (they would mangle every line), and removes URL user-info', () => {
    expect(scrub('pwd: nats://u:pw@h')).toBe('pwd: nats://h');
  });
});
