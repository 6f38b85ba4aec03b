// The checks that used to run only once a service was starting (TEST_SINK_URL vs SINK_URL, the schedule, the local
// worker command) are part of the env schemas: a bad value is listed with every other bad key, before any connection.
import { describe, expect, it } from 'vitest';
import { capacityEnvSchema, cliEnvSchema, scannerEnvSchema, transformerEnvSchema } from './env.schema';
import { ConfigError, loadEnv } from './load-env';

const sink = { SINK_URL: 's3://sink-bucket/out' };

/** The problems of one refused environment, one line each, as `sluice <service>` prints them. */
function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the environment was accepted');
}

describe('TEST_SINK_URL', () => {
  for (const [service, schema] of [
    ['scanner', scannerEnvSchema],
    ['transformer', transformerEnvSchema],
  ] as const) {
    it(`${service}: may not be SINK_URL, with or without a trailing slash`, () => {
      for (const test of ['s3://sink-bucket/out', 's3://sink-bucket/out/', 's3://sink-bucket/out//']) {
        expect(problemsOf(() => loadEnv(schema, { ...sink, TEST_SINK_URL: test })), test).toEqual([
          'TEST_SINK_URL: must not be SINK_URL: test_subset never writes to the production prefix',
        ]);
      }
    });

    it(`${service}: another prefix, even inside the sink, or none at all parses as given`, () => {
      expect(loadEnv(schema, { ...sink, TEST_SINK_URL: 's3://sink-bucket/out/_test' })).toMatchObject({ ...sink, TEST_SINK_URL: 's3://sink-bucket/out/_test' });
      expect(loadEnv(schema, { ...sink, TEST_SINK_URL: 'file:///tmp/test-sink' }).TEST_SINK_URL).toBe('file:///tmp/test-sink');
      expect(loadEnv(schema, sink).TEST_SINK_URL).toBeUndefined();
    });
  }

  it('is reported with another bad key of the same environment', () => {
    const problems = problemsOf(() => loadEnv(transformerEnvSchema, { ...sink, TEST_SINK_URL: `${sink.SINK_URL}/`, ROW_GROUP_ROWS: 'many' }));
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('ROW_GROUP_ROWS: '))).toBeDefined();
    expect(problems).toContain('TEST_SINK_URL: must not be SINK_URL: test_subset never writes to the production prefix');
  });
});

describe('SCHEDULE_CRON and SCHEDULE_TIMEZONE', () => {
  it('refuses an expression croner cannot read, naming the key, the value and why', () => {
    for (const bad of ['every monday', '0 6 * *', '61 * * * *', '0 6 * * 1 2026 x']) {
      const problems = problemsOf(() => loadEnv(scannerEnvSchema, { ...sink, SCHEDULE_CRON: bad }));
      expect(problems, bad).toHaveLength(1);
      expect(problems[0], bad).toMatch(new RegExp(`^SCHEDULE_CRON: "${bad.replace(/\*/g, '\\*')}" is not a valid cron expression: .+`));
    }
  });

  it('refuses a time zone Intl does not know', () => {
    expect(problemsOf(() => loadEnv(scannerEnvSchema, { ...sink, SCHEDULE_CRON: '0 6 * * 1', SCHEDULE_TIMEZONE: 'Mars/Olympus_Mons' }))).toEqual([
      'SCHEDULE_TIMEZONE: must be an IANA time zone, e.g. UTC or America/New_York',
    ]);
  });

  it('a bad cron and a bad SINK_URL are both in one error', () => {
    const problems = problemsOf(() => loadEnv(scannerEnvSchema, { SINK_URL: 'http://not-a-store', SCHEDULE_CRON: 'every monday' }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('SINK_URL: must be s3://bucket[/prefix] or file:///absolute/dir');
    expect(problems[1]).toMatch(/^SCHEDULE_CRON: "every monday" is not a valid cron expression/);
  });

  it('every bad key of the scanner at once: cron, time zone, TEST_SINK_URL and a number', () => {
    const problems = problemsOf(() =>
      loadEnv(scannerEnvSchema, {
        ...sink,
        TEST_SINK_URL: sink.SINK_URL,
        SCHEDULE_CRON: 'sometimes',
        SCHEDULE_TIMEZONE: 'Nowhere/Else',
        RUN_LOCK_TTL_MS: 'soon',
      }),
    );
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['RUN_LOCK_TTL_MS', 'SCHEDULE_CRON', 'SCHEDULE_TIMEZONE', 'TEST_SINK_URL']);
  });

  it('good values parse as given: 5 fields, 6 with seconds, any IANA zone; UTC by default, no schedule by default', () => {
    expect(loadEnv(scannerEnvSchema, { ...sink, SCHEDULE_CRON: '0 6 * * 1', SCHEDULE_TIMEZONE: 'America/New_York' })).toMatchObject({
      SCHEDULE_CRON: '0 6 * * 1',
      SCHEDULE_TIMEZONE: 'America/New_York',
    });
    expect(loadEnv(scannerEnvSchema, { ...sink, SCHEDULE_CRON: '*/2 * * * * *' })).toMatchObject({ SCHEDULE_CRON: '*/2 * * * * *', SCHEDULE_TIMEZONE: 'UTC' });
    const unscheduled = loadEnv(scannerEnvSchema, sink);
    expect(unscheduled.SCHEDULE_CRON).toBeUndefined();
    expect(unscheduled.SCHEDULE_TIMEZONE).toBe('UTC');
  });
});

describe('TRANSFORMER_COMMAND', () => {
  it('refuses a command of blanks (an empty value is unset: the default command)', () => {
    expect(problemsOf(() => loadEnv(capacityEnvSchema, { TRANSFORMER_COMMAND: '   ' }))).toEqual([
      'TRANSFORMER_COMMAND: must name the command to run (it is only blanks)',
    ]);
    expect(loadEnv(capacityEnvSchema, { TRANSFORMER_COMMAND: '' }).TRANSFORMER_COMMAND).toBeUndefined();
  });

  it('is reported with the capacity rules across keys, which no longer wait for every other key to be valid', () => {
    const problems = problemsOf(() => loadEnv(capacityEnvSchema, { TRANSFORMER_COMMAND: ' \t', WORKERS_MIN: '5', WORKERS_MAX: '2', LOG_LEVEL: 'loud' }));
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'TRANSFORMER_COMMAND', 'WORKERS_MIN']);
    expect(problems).toContain('WORKERS_MIN: WORKERS_MIN must be <= WORKERS_MAX');
  });

  it('a command parses as given (the manager splits it into argv)', () => {
    expect(loadEnv(capacityEnvSchema, { TRANSFORMER_COMMAND: 'node dist/apps/transformer/src/main.js' }).TRANSFORMER_COMMAND).toBe(
      'node dist/apps/transformer/src/main.js',
    );
  });
});

describe('NATS credentials: given one way', () => {
  const schemas = [
    ['scanner', scannerEnvSchema, sink],
    ['transformer', transformerEnvSchema, sink],
    ['capacity manager', capacityEnvSchema, { WORKER_NATS_NKEY_SEED_FILE: '/run/transformer.nk' }],
    ['cli', cliEnvSchema, {}],
  ] as const;
  const seed = 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4';

  it('NATS_URL with credentials and NATS_USER, NATS_TOKEN, a creds file or an nkey seed: named, never a value', () => {
    for (const [name, schema, base] of schemas) {
      for (const key of ['NATS_USER', 'NATS_TOKEN', 'NATS_CREDS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_NKEY_SEED']) {
        const problems = problemsOf(() => loadEnv(schema, { ...base, NATS_URL: 'nats://alice:url-s3cret@h:4222', [key]: key === 'NATS_NKEY_SEED' ? seed : 'given-value-xyz' }));
        expect(problems, `${name} ${key}`).toEqual([`NATS_URL: carries credentials, and ${key} is set too; give them one way`]);
      }
    }
    const problems = problemsOf(() => loadEnv(cliEnvSchema, { NATS_URL: 'h1:4222,tok3n-secret@h2:4222', NATS_USER: 'bob', NATS_TOKEN: 'other-s3cret' }));
    expect(problems).toEqual(['NATS_URL: carries credentials, and NATS_USER, NATS_TOKEN are set too; give them one way']);
    expect(problems.join('\n')).not.toMatch(/s3cret|tok3n|bob|alice/);
  });

  it('NATS_URL whose servers carry different credentials: reported at start-up with every other bad key, quoting neither', () => {
    for (const [name, schema, base] of schemas) {
      const problems = problemsOf(() => loadEnv(schema, { ...base, NATS_URL: 'nats://a:first-s3cret@h1,nats://a:second-s3cret@h2', POLL_INTERVAL_MS: 'often' }));
      expect(problems, name).toContain('NATS_URL: its servers carry different credentials; give one set (or use NATS_USER/NATS_PASSWORD, NATS_TOKEN)');
      expect(problems.join('\n'), name).not.toMatch(/s3cret/);
    }
    const withOther = problemsOf(() => loadEnv(transformerEnvSchema, { ...sink, NATS_URL: 'a:one-s3cret@h1,b:two-s3cret@h2', ROW_GROUP_ROWS: 'many' }));
    expect(withOther.map((p) => p.split(':')[0]).sort()).toEqual(['NATS_URL', 'ROW_GROUP_ROWS']);
  });

  it('NATS_NKEY_SEED and NATS_NKEY_SEED_FILE both set: named, the seed never printed', () => {
    for (const [name, schema, base] of schemas) {
      const problems = problemsOf(() => loadEnv(schema, { ...base, NATS_NKEY_SEED: seed, NATS_NKEY_SEED_FILE: '/run/seed.nk' }));
      expect(problems, name).toEqual(['NATS_NKEY_SEED: NATS_NKEY_SEED_FILE is set too; give the seed one way']);
      expect(problems.join('\n')).not.toContain(seed);
    }
  });

  it('each is reported with another bad key, and both at once', () => {
    const both = problemsOf(() =>
      loadEnv(transformerEnvSchema, {
        ...sink,
        NATS_URL: 'nats://alice:url-s3cret@h:4222',
        NATS_NKEY_SEED: seed,
        NATS_NKEY_SEED_FILE: '/run/seed.nk',
        ROW_GROUP_ROWS: 'many',
      }),
    );
    expect(both.map((p) => p.split(':')[0]).sort()).toEqual(['NATS_NKEY_SEED', 'NATS_URL', 'ROW_GROUP_ROWS']);
    expect(both).toContain('NATS_URL: carries credentials, and NATS_NKEY_SEED_FILE, NATS_NKEY_SEED are set too; give them one way');
    const withCapacity = problemsOf(() => loadEnv(capacityEnvSchema, { NATS_URL: 'bob:pw-s3cret@h', NATS_TOKEN: 't0ken-s3cret', WORKERS_MAX: '0' }));
    expect(withCapacity.map((p) => p.split(':')[0]).sort()).toEqual(['NATS_URL', 'WORKERS_MAX']);
    const withScanner = problemsOf(() => loadEnv(scannerEnvSchema, { ...sink, NATS_NKEY_SEED: seed, NATS_NKEY_SEED_FILE: '/run/seed.nk', RUN_LOCK_TTL_MS: 'soon' }));
    expect(withScanner.map((p) => p.split(':')[0]).sort()).toEqual(['NATS_NKEY_SEED', 'RUN_LOCK_TTL_MS']);
    expect([...both, ...withCapacity, ...withScanner].join('\n')).not.toMatch(/s3cret|alice|bob|SUAIB/);
  });

  it('credentials given one way parse as before', () => {
    for (const [name, schema, base] of schemas) {
      expect(loadEnv(schema, { ...base, NATS_URL: 'nats://alice:s3cret@h:4222' }).NATS_URL, name).toBe('nats://alice:s3cret@h:4222');
      expect(loadEnv(schema, { ...base, NATS_URL: 'nats://h:4222', NATS_USER: 'bob', NATS_PASSWORD: 'pw' }), name).toMatchObject({ NATS_URL: 'nats://h:4222', NATS_USER: 'bob', NATS_PASSWORD: 'pw' });
      expect(loadEnv(schema, { ...base, NATS_NKEY_SEED: seed }).NATS_NKEY_SEED, name).toBe(seed);
      expect(loadEnv(schema, { ...base, NATS_NKEY_SEED_FILE: '/run/seed.nk' }).NATS_NKEY_SEED_FILE, name).toBe('/run/seed.nk');
      // A user and a token, a creds file and a seed: no URL credentials, so the rules say nothing (precedence decides).
      expect(loadEnv(schema, { ...base, NATS_USER: 'bob', NATS_TOKEN: 't', NATS_CREDS_FILE: '/u.creds', NATS_NKEY_SEED_FILE: '/s.nk' }), name).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222' });
      // An empty user-info (`@host`) carries nothing.
      expect(loadEnv(schema, { ...base, NATS_URL: 'nats://@h:4222', NATS_TOKEN: 't' }).NATS_TOKEN, name).toBe('t');
    }
  });
});

describe('rules across keys', () => {
  it('CAPACITY_BACKEND=ecs without its cluster is reported with a bad number', () => {
    const problems = problemsOf(() => loadEnv(capacityEnvSchema, { CAPACITY_BACKEND: 'ecs', ECS_SERVICE: 'workers', POLL_INTERVAL_MS: 'often' }));
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['CAPACITY_BACKEND', 'POLL_INTERVAL_MS']);
  });

  it('a rule is not applied to a key that is itself bad (one problem for it, not two)', () => {
    expect(problemsOf(() => loadEnv(capacityEnvSchema, { WORKERS_MIN: 'lots', WORKERS_MAX: '2' })).map((p) => p.split(':')[0])).toEqual(['WORKERS_MIN']);
    expect(problemsOf(() => loadEnv(scannerEnvSchema, { SINK_URL: 'nope', TEST_SINK_URL: 'nope' })).map((p) => p.split(':')[0])).toEqual([
      'SINK_URL',
      'TEST_SINK_URL',
    ]);
  });
});

describe('NATS_REPLICAS', () => {
  it('is 1 by default, and 1, 3 or 5 for every service that binds to the topology', () => {
    for (const schema of [scannerEnvSchema, transformerEnvSchema, capacityEnvSchema]) {
      expect(loadEnv(schema, sink).NATS_REPLICAS).toBe(1);
      for (const n of [1, 3, 5]) expect(loadEnv(schema, { ...sink, NATS_REPLICAS: String(n) }).NATS_REPLICAS).toBe(n);
    }
  });

  it('refuses an even count, more than 5, 0 and anything not a number, saying what it may be', () => {
    for (const bad of ['2', '4', '7', '0', '-1', '3.5', 'three']) {
      const problems = problemsOf(() => loadEnv(scannerEnvSchema, { ...sink, NATS_REPLICAS: bad }));
      expect(problems, bad).toHaveLength(1);
      expect(problems[0], bad).toMatch(/^NATS_REPLICAS: /);
    }
    expect(problemsOf(() => loadEnv(scannerEnvSchema, { ...sink, NATS_REPLICAS: '2' }))).toEqual([
      'NATS_REPLICAS: must be 1 (a single server), 3 or 5 (a JetStream cluster of at least that many servers)',
    ]);
  });
});

describe('METRICS_EMF', () => {
  it('is off by default, with gauges every minute once on; the scanner and the capacity manager read it', () => {
    expect(loadEnv(scannerEnvSchema, sink)).toMatchObject({ METRICS_EMF: false, METRICS_EMF_INTERVAL_MS: 60_000 });
    expect(loadEnv(capacityEnvSchema, { METRICS_EMF: '1', METRICS_EMF_INTERVAL_MS: '500' })).toMatchObject({ METRICS_EMF: true, METRICS_EMF_INTERVAL_MS: 500 });
    expect(loadEnv(scannerEnvSchema, { ...sink, METRICS_EMF: 'true', LOG_FORMAT: 'json' }).METRICS_EMF).toBe(true);
  });

  it('needs JSON logs: refused with LOG_FORMAT=pretty, and reported with another bad key', () => {
    for (const schema of [scannerEnvSchema, capacityEnvSchema]) {
      expect(problemsOf(() => loadEnv(schema, { ...sink, METRICS_EMF: '1', LOG_FORMAT: 'pretty', METRICS_EMF_INTERVAL_MS: '5' }))).toEqual([
        'METRICS_EMF_INTERVAL_MS: Too small: expected number to be >=100',
        'METRICS_EMF: needs JSON logs: not with LOG_FORMAT=pretty',
      ]);
    }
  });
});
