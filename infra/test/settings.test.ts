// Context parsing: defaults, strings from `-c key=value`, combinations, and one message for every bad key.
import { describe, expect, it } from 'vitest';
import { readSettings, s3Source, SettingsError, TLC_HTTPS_SOURCE } from '../lib/settings';
import { TEST_NATS_PUBLIC_KEYS, TEST_NATS_PUBLIC_KEYS_FLAG } from './synth-support';

/** The stack's own NATS requires the roles' public keys: given unless a test says otherwise. */
const from = (context: Record<string, unknown>) => readSettings((key) => ({ natsPublicKeys: TEST_NATS_PUBLIC_KEYS_FLAG, ...context })[key]);

describe('readSettings', () => {
  it('defaults: own NATS, the TLC HTTPS source, Monday 06:00 UTC, 4 workers, x86, on-demand', () => {
    expect(from({})).toEqual({
      nats: 'service',
      natsPublicKeys: TEST_NATS_PUBLIC_KEYS,
      natsSeedSecretPrefix: 'sluice/nats/',
      natsAuth: 'user-password',
      natsImage: 'public.ecr.aws/docker/library/nats:2.10-alpine',
      sourceUrl: TLC_HTTPS_SOURCE,
      schedule: 'cron(0 6 ? * MON *)',
      scheduleTimezone: 'UTC',
      scheduleEnabled: true,
      workersMax: 4,
      idleTimeoutMs: 120_000,
      scaleCooldownMs: 60_000,
      transformerCpu: 1024,
      transformerMemoryMiB: 4096,
      spot: false,
      cpuArchitecture: 'X86_64',
      logRetentionDays: 30,
      testPrefixExpiryDays: 7,
    });
  });

  it('takes the strings `cdk -c` passes, and the JSON values cdk.json holds', () => {
    const strings = from({ spot: 'true', scheduleEnabled: 'false', workersMax: '12', transformerCpu: '2048', logRetentionDays: '90' });
    const json = from({ spot: true, scheduleEnabled: false, workersMax: 12, transformerCpu: 2048, logRetentionDays: 90 });
    expect(strings).toEqual(json);
    expect([json.spot, json.scheduleEnabled, json.workersMax, json.transformerCpu, json.logRetentionDays]).toEqual([true, false, 12, 2048, 90]);
  });

  it('accepts rate() schedules and an external NATS cluster', () => {
    const s = from({ schedule: 'rate(7 days)', nats: 'external', natsUrl: 'tls://a.example:4222,tls://b.example:4222' });
    expect([s.schedule, s.natsUrl]).toEqual(['rate(7 days)', 'tls://a.example:4222,tls://b.example:4222']);
  });

  it('rejects combinations that would be silently ignored', () => {
    expect(() => from({ natsUrl: 'nats://x:4222' })).toThrow('nats: natsUrl and natsSecretArn are only used with -c nats=external');
    expect(() => from({ nats: 'external' })).toThrow('natsUrl: required with -c nats=external');
  });

  it('rejects a partial secret ARN, a 5-field cron, a file:// source, an unknown NATS mode — all in one error', () => {
    let error: unknown;
    try {
      from({ nats: 'nomad', natsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:nats', schedule: '0 6 * * 1', sourceUrl: 'file:///x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['nats', 'nats', 'natsSecretArn', 'schedule', 'sourceUrl']);
  });

  it("the stack's own NATS needs every role's public key; synth refuses an open bus with what to run", () => {
    expect(() => from({ natsPublicKeys: undefined })).toThrow(
      /natsPublicKeys: required for the stack's own NATS, which gets one nkey user per role \(it will not deploy an open bus\): run `npm run sluice -- bus-auth init --dir <dir>`/,
    );
    const { operator, ...withoutOperator } = TEST_NATS_PUBLIC_KEYS;
    expect(() => from({ natsPublicKeys: withoutOperator })).toThrow(/natsPublicKeys: no public key for operator/);
    expect(() => from({ natsPublicKeys: { ...TEST_NATS_PUBLIC_KEYS, scanner: operator.slice(0, 20) } })).toThrow(/not a user public nkey .* for scanner/);
    expect(() => from({ natsPublicKeys: { ...TEST_NATS_PUBLIC_KEYS, admin: operator } })).toThrow(/unknown role\(s\) admin/);
    // `-c role=U…,…` and the JSON object of cdk.json read the same
    expect(from({ natsPublicKeys: TEST_NATS_PUBLIC_KEYS }).natsPublicKeys).toEqual(from({}).natsPublicKeys);
  });

  it('an external NATS with nkeys reads each role seed from its own secret, not from natsSecretArn', () => {
    const ext = { nats: 'external', natsUrl: 'tls://nats.example:4222', natsAuth: 'nkey', natsPublicKeys: undefined };
    expect(from(ext)).toMatchObject({ natsAuth: 'nkey', natsSeedSecretPrefix: 'sluice/nats/' });
    expect(() => from({ ...ext, natsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:nats-AbC123' })).toThrow(
      /natsSecretArn: not used with natsAuth=nkey/,
    );
    expect(() => from({ ...ext, natsSeedSecretPrefix: 'sluice nats/' })).toThrow(/natsSeedSecretPrefix: must be a Secrets Manager name prefix/);
  });

  it('empty values count as unset', () => {
    expect(from({ sourceUrl: '', workersMax: '' }).sourceUrl).toBe(TLC_HTTPS_SOURCE);
  });
});

describe('s3Source', () => {
  it('splits bucket and prefix (always ending in /), and ignores HTTPS sources', () => {
    expect(s3Source('s3://tlc-mirror')).toEqual({ bucket: 'tlc-mirror', prefix: '' });
    expect(s3Source('s3://tlc-mirror/')).toEqual({ bucket: 'tlc-mirror', prefix: '' });
    expect(s3Source('s3://tlc-mirror/trip data')).toEqual({ bucket: 'tlc-mirror', prefix: 'trip data/' });
    expect(s3Source(TLC_HTTPS_SOURCE)).toBeUndefined();
  });
});
