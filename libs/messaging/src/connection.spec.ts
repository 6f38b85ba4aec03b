import { cliEnvSchema, loadEnv, natsOptionsOf } from '@sluice/config';
import { describe, expect, it } from 'vitest';
import { natsConnectionOptions } from './connection';

describe('natsConnectionOptions', () => {
  it('passes URL credentials as options and never puts them in the server list', () => {
    const options = natsConnectionOptions({ url: 'alice:s3cret@127.0.0.1:4222' }, 'x');
    expect(options).toMatchObject({ servers: ['127.0.0.1:4222'], user: 'alice', pass: 's3cret' });
    expect(natsConnectionOptions({ url: 'nats://tok3n@h:4222' }, 'x')).toMatchObject({ servers: ['nats://h:4222'], token: 'tok3n' });
  });

  it('NATS_USER/NATS_PASSWORD, then NATS_TOKEN, as given; TLS files when set', () => {
    const nats = natsOptionsOf(loadEnv(cliEnvSchema, { NATS_URL: 'nats://h:4222', NATS_USER: 'bob', NATS_PASSWORD: 'pw-123456', NATS_TLS_CA_FILE: '/ca.pem' }));
    expect(natsConnectionOptions(nats, 'x')).toMatchObject({ servers: ['nats://h:4222'], user: 'bob', pass: 'pw-123456', tls: { caFile: '/ca.pem' } });
    expect(natsConnectionOptions(natsOptionsOf(loadEnv(cliEnvSchema, { NATS_TOKEN: 'tok3n' })), 'x')).toMatchObject({ servers: ['nats://127.0.0.1:4222'], token: 'tok3n' });
    expect(natsConnectionOptions({ url: 'nats://h:4222' }, 'x')).not.toHaveProperty('tls');
  });
});

describe("natsConnectionOptions: the inbox is the user's own", () => {
  it('for an nkey seed and for a creds file (its seed), derived from the public key', async () => {
    const { createUser } = await import('@nats-io/nkeys');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const user = createUser();
    const seed = new TextDecoder().decode(user.getSeed());
    const dir = mkdtempSync(join(tmpdir(), 'sluice-creds-'));
    const creds = join(dir, 'user.creds');
    writeFileSync(creds, `-----BEGIN NATS USER JWT-----\neyJhbGciOi.e30.x\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`);
    const fromCreds = natsConnectionOptions({ url: 'nats://127.0.0.1:4222', credsFile: creds }, 't');
    const fromSeed = natsConnectionOptions({ url: 'nats://127.0.0.1:4222', nkeySeed: seed }, 't');
    expect(fromCreds.inboxPrefix).toBe(`_INBOX.${user.getPublicKey()}`);
    expect(fromSeed.inboxPrefix).toBe(fromCreds.inboxPrefix);
  });
});
