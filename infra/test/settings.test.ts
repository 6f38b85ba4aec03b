// Context parsing: defaults, strings from `-c key=value`, combinations, and one message for every bad key.
import { describe, expect, it } from 'vitest';
import { readSettings, s3Source, SettingsError, TLC_HTTPS_SOURCE } from '../lib/settings';

const from = (context: Record<string, unknown>) => readSettings((key) => context[key]);

describe('readSettings', () => {
  it('defaults: own NATS, the TLC HTTPS source, Monday 06:00 UTC, 4 workers, x86, on-demand', () => {
    expect(from({})).toEqual({
      nats: 'service',
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
