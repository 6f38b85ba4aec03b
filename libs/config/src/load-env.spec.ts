import { describe, expect, it } from 'vitest';
import { capacityEnvSchema, ConfigError, loadEnv, transformerEnvSchema } from './index';

describe('loadEnv', () => {
  it('applies defaults and coerces numbers; the default source is the TLC distribution', () => {
    expect(loadEnv(transformerEnvSchema, { SINK_URL: 'file:///tmp/sink' }).SOURCE_URL).toBe('https://d37ci6vzurychx.cloudfront.net/trip-data/');
    const env = loadEnv(transformerEnvSchema, { SOURCE_URL: 's3://src-bucket/trip data/', SINK_URL: 'file:///tmp/sink' });
    expect(env.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(env.ROW_GROUP_ROWS).toBe(1_000_000);
    expect(env.WORK_MAX_DELIVER).toBe(5);
  });

  it('lists every bad key in one error, not only the first', () => {
    let error: unknown;
    try {
      loadEnv(transformerEnvSchema, { SOURCE_URL: 'http://nope', ROW_GROUP_ROWS: 'many', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const key of ['SOURCE_URL', 'SINK_URL', 'ROW_GROUP_ROWS', 'LOG_LEVEL']) expect(message).toContain(key);
    expect(message).toContain('SINK_URL: required, but not set');
    expect(message).toContain('SOURCE_URL: must be https://host/path/, s3://bucket[/prefix] or file:///absolute/dir');
  });

  it('treats empty strings as unset', () => {
    const env = loadEnv(capacityEnvSchema, { WORKERS_MAX: '', NATS_URL: '' });
    expect(env.WORKERS_MAX).toBe(4);
    expect(env.NATS_URL).toBe('nats://127.0.0.1:4222');
  });

  it('SOURCE_HTTP_REDIRECT_HOSTS: a comma-separated list of hosts, none by default; a URL or a wildcard is refused by name', () => {
    expect(loadEnv(transformerEnvSchema, { SINK_URL: 'file:///tmp/sink' }).SOURCE_HTTP_REDIRECT_HOSTS).toEqual([]);
    const env = loadEnv(transformerEnvSchema, { SINK_URL: 'file:///tmp/sink', SOURCE_HTTP_REDIRECT_HOSTS: ' NYC-TLC.s3.amazonaws.com, mirror.example:8443 ,[::1]' });
    expect(env.SOURCE_HTTP_REDIRECT_HOSTS).toEqual(['nyc-tlc.s3.amazonaws.com', 'mirror.example:8443', '[::1]']);
    expect(() =>
      loadEnv(transformerEnvSchema, { SINK_URL: 'file:///tmp/sink', SOURCE_HTTP_REDIRECT_HOSTS: 'ok.example,https://evil.example/,*.example' }),
    ).toThrow(/SOURCE_HTTP_REDIRECT_HOSTS: "https:\/\/evil.example\/" is not a host name or host:port[\s\S]*"\*\.example" is not/);
  });

  it('MAX_DROP_FRACTION: a fraction 0..1, 0.1 by default', () => {
    const base = { SINK_URL: 'file:///tmp/sink' };
    expect(loadEnv(transformerEnvSchema, base).MAX_DROP_FRACTION).toBe(0.1);
    expect(loadEnv(transformerEnvSchema, { ...base, MAX_DROP_FRACTION: '0.25' }).MAX_DROP_FRACTION).toBe(0.25);
    expect(loadEnv(transformerEnvSchema, { ...base, MAX_DROP_FRACTION: '1' }).MAX_DROP_FRACTION).toBe(1);
    for (const bad of ['1.5', '-0.1', '10%', 'all']) {
      expect(() => loadEnv(transformerEnvSchema, { ...base, MAX_DROP_FRACTION: bad }), bad).toThrow(/MAX_DROP_FRACTION: must be a fraction from 0 to 1/);
    }
  });

  it('checks cross-field rules', () => {
    expect(() => loadEnv(capacityEnvSchema, { WORKERS_MIN: '5', WORKERS_MAX: '2' })).toThrow(/WORKERS_MIN must be <= WORKERS_MAX/);
  });

  it('refuses credentials in S3_ENDPOINT or SOURCE_URL, and never quotes the value', () => {
    let error: unknown;
    try {
      loadEnv(transformerEnvSchema, {
        SINK_URL: 'file:///tmp/sink',
        S3_ENDPOINT: 'http://AKIDMARKER:skMARKER@minio:9000',
        SOURCE_URL: 'https://user:pwMARKER@mirror.example/trip-data/',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('S3_ENDPOINT: must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(message).toContain('SOURCE_URL: must be https://host/path/');
    expect(message).not.toMatch(/MARKER/);
    expect(loadEnv(transformerEnvSchema, { SINK_URL: 'file:///tmp/sink', S3_ENDPOINT: 'http://127.0.0.1:9000' }).S3_ENDPOINT).toBe('http://127.0.0.1:9000');
  });
});
