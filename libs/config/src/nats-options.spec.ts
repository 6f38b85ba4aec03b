import { describe, expect, it } from 'vitest';
import { capacityEnvSchema, cliEnvSchema, scannerEnvSchema } from './env.schema';
import { loadEnv } from './load-env';
import { natsOptionsOf } from './nats-options';

describe('natsOptionsOf', () => {
  it('the default server, and nothing else, when no NATS key is set', () => {
    expect(natsOptionsOf(loadEnv(cliEnvSchema, {}))).toEqual({ url: 'nats://127.0.0.1:4222' });
  });

  it('every NATS key of a parsed environment, by name', () => {
    const env = {
      NATS_URL: 'tls://a:4222,tls://b:4222',
      NATS_USER: 'bob',
      NATS_PASSWORD: 'pw-123456',
      NATS_CREDS_FILE: '/run/user.creds',
      NATS_TLS_CA_FILE: '/ca.pem',
      NATS_TLS_KEY_FILE: '/key.pem',
    };
    expect(natsOptionsOf(loadEnv(cliEnvSchema, env))).toEqual({
      url: 'tls://a:4222,tls://b:4222',
      user: 'bob',
      password: 'pw-123456',
      credsFile: '/run/user.creds',
      tls: { caFile: '/ca.pem', certFile: undefined, keyFile: '/key.pem' },
    });
    expect(natsOptionsOf(loadEnv(scannerEnvSchema, { SINK_URL: 's3://sink-bucket', NATS_TOKEN: 'tok3n-abc' }))).toEqual({ url: 'nats://127.0.0.1:4222', token: 'tok3n-abc' });
    expect(natsOptionsOf(loadEnv(capacityEnvSchema, { NATS_NKEY_SEED_FILE: '/seed.nk', WORKER_NATS_NKEY_SEED_FILE: '/t.nk' }))).toEqual({ url: 'nats://127.0.0.1:4222', nkeySeedFile: '/seed.nk' });
  });

  it('no TLS without a CA or a certificate file (a key file alone is not TLS)', () => {
    expect(natsOptionsOf(loadEnv(cliEnvSchema, { NATS_TLS_KEY_FILE: '/key.pem' }))).not.toHaveProperty('tls');
  });
});
