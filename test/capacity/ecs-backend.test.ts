// EcsBackend through the real AWS SDK against the fake ECS JSON API: counts, updates, cooldown, error kinds.
import { EcsBackend } from '@sluice/capacity';
import { createLogger } from '@sluice/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEcs, waitFor, type FakeEcs } from '../support';

describe('EcsBackend (fake ECS)', () => {
  let ecs: FakeEcs;
  let clock = 0;
  const logger = createLogger({ service: 'test', level: 'silent', format: 'json' });
  const backend = (over: { service?: string; cooldownMs?: number } = {}) =>
    new EcsBackend({
      cluster: 'sluice',
      service: over.service ?? 'transformer',
      cooldownMs: over.cooldownMs ?? 60_000,
      logger,
      now: () => clock,
      clientConfig: { endpoint: ecs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 3 },
    });

  beforeAll(async () => {
    ecs = await startFakeEcs({ cluster: 'sluice', service: 'transformer', startDelayMs: 100 });
  });
  afterAll(async () => {
    await ecs?.stop();
  });

  it('reads desired/running/pending and sets desiredCount; tasks start after a delay', async () => {
    const b = backend();
    expect(await b.observe()).toEqual({ desired: 0, running: 0, pending: 0 });
    expect(await b.scaleTo(3, 'test')).toBe('changed');
    expect(await b.observe()).toMatchObject({ desired: 3, pending: 3 });
    await waitFor(async () => (await b.observe()).running === 3, { what: 'three running tasks' });
    expect(await b.scaleTo(3, 'test')).toBe('unchanged');
  });

  it('holds scale-ins back during the cooldown, never scale-ups', async () => {
    const b = backend({ cooldownMs: 1_000 });
    clock = 10_000;
    expect(await b.scaleTo(4, 'up')).toBe('changed');
    clock = 10_500;
    expect(await b.scaleTo(1, 'down')).toBe('deferred');
    expect(await b.scaleTo(5, 'up again')).toBe('changed');
    clock = 11_600;
    expect(await b.scaleTo(0, 'down')).toBe('changed');
    expect(ecs.desired()).toBe(0);
  });

  it('retries throttling (the SDK backs off) and succeeds', async () => {
    ecs.failNext('ThrottlingException', 2);
    expect(await backend().observe()).toMatchObject({ desired: 0 });
  });

  it('classifies access denied and a missing service as permanent, with a clear message', async () => {
    ecs.failNext('AccessDeniedException', 1);
    await expect(backend().observe()).rejects.toMatchObject({ kind: 'permanent', code: 'ecs_AccessDeniedException' });
    await expect(backend({ service: 'nope' }).observe()).rejects.toMatchObject({ kind: 'permanent', code: 'ecs_service_not_found' });
    await expect(backend({ service: 'nope', cooldownMs: 0 }).scaleTo(1, 'x')).rejects.toMatchObject({ kind: 'permanent' });
  });
});
