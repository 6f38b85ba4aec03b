import { describe, expect, it } from 'vitest';
import { workerEnvironment } from './local.backend';

describe('workerEnvironment', () => {
  const manager = { NATS_URL: 'nats://127.0.0.1:4222', NATS_NKEY_SEED_FILE: '/bus/capacity-manager.nk', WORKER_NATS_NKEY_SEED_FILE: '/bus/transformer.nk', SINK_URL: 's3://sink' };

  it("gives workers the transformer's seed file and none of the manager's NATS identity", () => {
    expect(workerEnvironment(manager, manager.WORKER_NATS_NKEY_SEED_FILE)).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_NKEY_SEED_FILE: '/bus/transformer.nk',
      SINK_URL: 's3://sink',
    });
  });

  it('drops a seed the manager got as environment (a container secret)', () => {
    const env = workerEnvironment({ ...manager, NATS_NKEY_SEED_FILE: undefined, NATS_NKEY_SEED: 'SU-manager' }, '/bus/transformer.nk');
    expect(env.NATS_NKEY_SEED).toBeUndefined();
    expect(env.NATS_NKEY_SEED_FILE).toBe('/bus/transformer.nk');
  });

  it("drops the manager's other kinds of credentials too (creds file, user and password, token)", () => {
    const env = workerEnvironment(
      { ...manager, NATS_CREDS_FILE: '/m.creds', NATS_USER: 'manager', NATS_PASSWORD: 'pw', NATS_TOKEN: 'tok' },
      '/bus/transformer.nk',
    );
    expect(Object.keys(env).filter((k) => k.startsWith('NATS_')).sort()).toEqual(['NATS_NKEY_SEED_FILE', 'NATS_URL']);
  });

  it('without worker credentials, workers inherit the environment as it is (a bus without per-role users)', () => {
    const open = { NATS_URL: 'nats://127.0.0.1:4222', SINK_URL: 's3://sink' };
    expect(workerEnvironment(open, undefined)).toEqual(open);
  });
});
