// Context parsing: defaults, strings from `-c key=value`, combinations, and one message for every bad key.
import { describe, expect, it } from 'vitest';
import { readSettings, s3Source, SettingsError, TLC_HTTPS_SOURCE } from '../lib/settings';
import { TEST_NATS_PUBLIC_KEYS, TEST_NATS_PUBLIC_KEYS_FLAG } from './synth-support';

/** The stack's own NATS requires the roles' public keys: given unless a test says otherwise. */
const from = (context: Record<string, unknown>) => readSettings((key) => ({ natsPublicKeys: TEST_NATS_PUBLIC_KEYS_FLAG, ...context })[key]);

describe('readSettings', () => {
  it('defaults: own NATS, the TLC HTTPS source, Monday 06:00 UTC, 4 workers, x86, transformers on Spot with one on-demand task', () => {
    expect(from({})).toEqual({
      nats: 'service',
      natsPublicKeys: TEST_NATS_PUBLIC_KEYS,
      natsSeedSecretPrefix: 'sluice/nats/',
      natsAuth: 'user-password',
      natsImage: 'public.ecr.aws/docker/library/nats:2.10-alpine',
      natsReplicas: 1,
      sourceUrl: TLC_HTTPS_SOURCE,
      schedule: 'cron(0 6 ? * MON *)',
      scheduleTimezone: 'UTC',
      scheduleEnabled: true,
      workersMax: 4,
      idleTimeoutMs: 120_000,
      scaleCooldownMs: 60_000,
      transformerCpu: 1024,
      transformerMemoryMiB: 4096,
      transformerCapacity: { spotWeight: 1, onDemandWeight: 0, onDemandBase: 1 },
      cpuArchitecture: 'X86_64',
      logRetentionDays: 30,
      testPrefixExpiryDays: 7,
      backlogAgeAlarmMinutes: 180,
      stuckRunAlarmMinutes: 60,
    });
  });

  it('takes the strings `cdk -c` passes, and the JSON values cdk.json holds', () => {
    const strings = from({ transformerCapacity: 'spot=3, on-demand=1,base=2', scheduleEnabled: 'false', workersMax: '12', transformerCpu: '2048', logRetentionDays: '90' });
    const json = from({ transformerCapacity: { spot: 3, 'on-demand': 1, base: 2 }, scheduleEnabled: false, workersMax: 12, transformerCpu: 2048, logRetentionDays: 90 });
    expect(strings).toEqual(json);
    expect([json.transformerCapacity, json.scheduleEnabled, json.workersMax, json.transformerCpu, json.logRetentionDays]).toEqual([
      { spotWeight: 3, onDemandWeight: 1, onDemandBase: 2 },
      false,
      12,
      2048,
      90,
    ]);
  });

  it('accepts rate() schedules and an external NATS cluster', () => {
    const s = from({ schedule: 'rate(7 days)', nats: 'external', natsUrl: 'tls://a.example:4222,tls://b.example:4222' });
    expect([s.schedule, s.natsUrl]).toEqual(['rate(7 days)', 'tls://a.example:4222,tls://b.example:4222']);
  });

  it('an external NATS cluster may keep 3 or 5 replicas; the stack\'s own single server only 1', () => {
    const cluster = { nats: 'external', natsUrl: 'tls://a.example:4222,tls://b.example:4222,tls://c.example:4222' };
    expect(from({ ...cluster, natsReplicas: '3' }).natsReplicas).toBe(3);
    expect(from({ ...cluster, natsReplicas: 5 }).natsReplicas).toBe(5);
    expect(from({ natsReplicas: '1' }).natsReplicas).toBe(1);
    expect(() => from({ natsReplicas: '3' })).toThrow(/natsReplicas: the stack's own NATS is one server; more than 1 needs -c nats=external/);
    expect(() => from({ ...cluster, natsReplicas: '2' })).toThrow(/natsReplicas: must be 1, 3 or 5/);
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

  it('transformerCapacity: the spot and on-demand presets, weights with missing keys at 0', () => {
    expect(from({ transformerCapacity: 'spot' }).transformerCapacity).toEqual({ spotWeight: 1, onDemandWeight: 0, onDemandBase: 1 });
    expect(from({ transformerCapacity: 'on-demand' }).transformerCapacity).toEqual({ spotWeight: 0, onDemandWeight: 1, onDemandBase: 0 });
    expect(from({ transformerCapacity: 'spot=1' }).transformerCapacity).toEqual({ spotWeight: 1, onDemandWeight: 0, onDemandBase: 0 });
    expect(from({ transformerCapacity: { 'on-demand': 2, base: 1 } }).transformerCapacity).toEqual({ spotWeight: 0, onDemandWeight: 2, onDemandBase: 1 });
  });

  it('transformerCapacity: rejects an unknown form, a key, out-of-range weights, all-zero weights and a base that leaves Spot nothing', () => {
    const problemsOf = (context: Record<string, unknown>): string[] => {
      try {
        from(context);
      } catch (error) {
        expect(error).toBeInstanceOf(SettingsError);
        return (error as SettingsError).problems;
      }
      return [];
    };
    const forms = 'must be spot, on-demand, or weights such as spot=3,on-demand=1,base=1';
    expect(problemsOf({ transformerCapacity: 'cheap' })).toEqual([`transformerCapacity: ${forms}`]);
    expect(problemsOf({ transformerCapacity: 'spot=1,ondemand=1' })).toEqual([`transformerCapacity: ${forms}`]);
    expect(problemsOf({ transformerCapacity: 'spot=1001' })).toEqual([expect.stringMatching(/^transformerCapacity\.spot: /)]);
    expect(problemsOf({ transformerCapacity: 'spot=1,base=-1' })).toEqual([expect.stringMatching(/^transformerCapacity\.base: /)]);
    expect(problemsOf({ transformerCapacity: 'spot=one' })).toEqual([expect.stringMatching(/^transformerCapacity\.spot: /)]);
    expect(problemsOf({ transformerCapacity: 'spot=0,on-demand=0,base=2' })).toEqual([
      'transformerCapacity: spot or on-demand needs a weight above 0 (ECS places no task with every weight at 0)',
    ]);
    // a chosen strategy whose on-demand base is all of workersMax: no transformer would ever run on Spot
    expect(problemsOf({ workersMax: 2, transformerCapacity: 'spot=1,base=2' })).toEqual([
      expect.stringMatching(/^transformerCapacity: the on-demand base of 2 task\(s\) covers workersMax=2, so no transformer would run on Spot/),
    ]);
    // the default strategy is not a choice: `-c workersMax=1` deploys as it always did (its one task on-demand)
    expect(problemsOf({ workersMax: 1 })).toEqual([]);
    expect(problemsOf({ workersMax: 1, transformerCapacity: 'spot=1,base=0' })).toEqual([]);
    expect(problemsOf({ workersMax: 1, transformerCapacity: 'on-demand' })).toEqual([]);
    // reported with the other bad keys, and the retired `spot` flag is named rather than silently ignored
    expect(problemsOf({ transformerCapacity: 'cheap', spot: 'true', workersMax: 0 }).map((p) => p.split(':')[0]).sort()).toEqual(['spot', 'transformerCapacity', 'workersMax']);
  });

  it('alarms: an e-mail address and thresholds in minutes, checked', () => {
    expect(from({ alarmEmail: 'ops@example.com', backlogAgeAlarmMinutes: '30' })).toMatchObject({ alarmEmail: 'ops@example.com', backlogAgeAlarmMinutes: 30 });
    let error: unknown;
    try {
      from({ alarmEmail: 'ops at example', backlogAgeAlarmMinutes: '0', stuckRunAlarmMinutes: 'an hour' });
    } catch (e) {
      error = e;
    }
    expect((error as SettingsError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['alarmEmail', 'backlogAgeAlarmMinutes', 'stuckRunAlarmMinutes']);
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
