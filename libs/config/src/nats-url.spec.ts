import { describe, expect, it } from 'vitest';
import { ConfigError } from './load-env';
import { describeNatsUrl, natsUrlProblem, parseNatsServers } from './nats-url';

describe('describeNatsUrl: no credential, whatever the form of NATS_URL', () => {
  it.each([
    ['alice:s3cret@127.0.0.1:4222', '127.0.0.1:4222'], // the form seen in the issue: no scheme
    ['nats://alice:s3cret@127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['tls://alice:s3cret@nats.internal:4222', 'tls://nats.internal:4222'],
    ['ws://alice:s3cret@127.0.0.1:8080/nats', 'ws://127.0.0.1:8080/nats'],
    ['wss://tok3n-s3cret@nats.example.com', 'wss://nats.example.com'],
    ['tok3n-s3cret@127.0.0.1:4222', '127.0.0.1:4222'], // user-info with no password: a token
    ['nats://alice@127.0.0.1', 'nats://127.0.0.1'],
    ['nats://alice:p@ss/w0rd@127.0.0.1:4222', 'nats://127.0.0.1:4222'], // raw @ and / in the password
    ['nats://alice:p%40ss@127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    ['nats://a:s3cret@h1:4222, b:0ther-s3cret@h2:4223,nats://h3', 'nats://h1:4222,h2:4223,nats://h3'],
    ['nats://[::1]:4222', 'nats://[::1]:4222'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    // a comma inside a password splits it into two "servers": the piece before the comma is no host, not printed
    ['nats://alice:s3c,ret@127.0.0.1:4222', 'nats://<unprintable server>,127.0.0.1:4222'],
  ])('%s → %s', (url, described) => {
    expect(describeNatsUrl(url)).toBe(described);
    for (const secret of ['s3cret', '0ther', 'tok3n', 'p@ss', 'w0rd', 'p%40ss', 's3c']) expect(describeNatsUrl(url)).not.toContain(secret);
  });
});

describe('parseNatsServers: user-info becomes connection options', () => {
  it('user:pass@ gives a user and password, percent-decoded; the servers lose the user-info', () => {
    expect(parseNatsServers('alice:p%40ss@127.0.0.1:4222,nats://alice:p%40ss@10.0.0.2:4222')).toEqual({
      servers: ['127.0.0.1:4222', 'nats://10.0.0.2:4222'],
      credentials: { user: 'alice', pass: 'p@ss' },
    });
  });

  it('user-info with no password is a token; a server without user-info shares the others', () => {
    expect(parseNatsServers('tls://tok3n@h1:4222,tls://h2:4222')).toEqual({ servers: ['tls://h1:4222', 'tls://h2:4222'], credentials: { token: 'tok3n' } });
  });

  it('no user-info: servers as given, no credentials', () => {
    expect(parseNatsServers(' nats://h1:4222 , h2 ')).toEqual({ servers: ['nats://h1:4222', 'h2'], credentials: undefined });
  });

  it('servers with different credentials: a config error that quotes neither', () => {
    const attempt = () => parseNatsServers('nats://a:first-s3cret@h1,nats://a:second-s3cret@h2');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/NATS_URL: its servers carry different credentials/);
    expect(() => attempt()).not.toThrow(/s3cret/);
    expect(natsUrlProblem('nats://a:first-s3cret@h1,nats://a:second-s3cret@h2')).toMatch(/^its servers carry different credentials/);
    expect(natsUrlProblem('nats://a:s3cret@h1,nats://h2')).toBeUndefined();
  });
});

