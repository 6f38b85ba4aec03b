// The context flags: external NATS with credentials from Secrets Manager, an s3:// source, schedule, Spot weights, ARM64.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityEnvSchema, cliEnvSchema, loadEnv, scannerEnvSchema, transformerEnvSchema } from '@sluice/config';
import { CLOUDWATCH_METRICS } from '@sluice/contracts';
import { containersOf, deployedEnvironment, expectStatements, render, resourcesOfType, statementsOfRole, synth, typeCounts, type Synth } from './synth-support';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sluice/nats-AbC123';

describe('nats=external with user/password from Secrets Manager, an s3:// source, Spot weights, ARM64, a custom schedule', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({
      nats: 'external',
      natsUrl: 'tls://nats.example.internal:4222',
      natsSecretArn: SECRET,
      sourceUrl: 's3://tlc-mirror/trip data/',
      transformerCapacity: 'spot=3,on-demand=1,base=2',
      cpuArchitecture: 'ARM64',
      schedule: 'cron(30 4 ? * SUN *)',
      scheduleTimezone: 'America/New_York',
      workersMax: '8',
      alarmEmail: 'ops@example.com',
      backlogAgeAlarmMinutes: '45',
      stuckRunAlarmMinutes: '30',
    });
  });
  afterAll(() => s?.cleanup());

  it('subscribes the alarm e-mail to the topic, and sets the alarm thresholds given', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 1);
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: s.id(s.stack.alarms.topic) } });
    const alarms = Object.fromEntries(resourcesOfType(s, 'AWS::CloudWatch::Alarm').map(([, r]) => [r.Properties!.MetricName, r.Properties!]));
    expect(alarms[CLOUDWATCH_METRICS.backlogAge.name].Threshold).toBe(45 * 60);
    expect([alarms[CLOUDWATCH_METRICS.runsStuck.name].EvaluationPeriods, alarms[CLOUDWATCH_METRICS.runsStuck.name].DatapointsToAlarm]).toEqual([6, 6]);
  });

  it('creates no NATS of its own: no EFS, no Cloud Map, three services', () => {
    const counts = typeCounts(s);
    expect(counts['AWS::ECS::Service']).toBe(3);
    expect(counts['AWS::ECS::TaskDefinition']).toBe(4);
    expect(counts['AWS::IAM::Role']).toBe(9);
    expect(counts['AWS::Logs::LogGroup']).toBe(4);
    for (const type of ['AWS::EFS::FileSystem', 'AWS::ServiceDiscovery::PrivateDnsNamespace', 'AWS::EC2::SecurityGroupIngress']) {
      expect(counts[type], type).toBeUndefined();
    }
  });

  it('every sluice container gets NATS_URL, and NATS_USER/NATS_PASSWORD as secrets from the JSON keys, never as plain env', () => {
    const schemas = { scanner: scannerEnvSchema, 'capacity-manager': capacityEnvSchema, transformer: transformerEnvSchema, cli: cliEnvSchema };
    const tasks = resourcesOfType(s, 'AWS::ECS::TaskDefinition');
    for (const [taskId] of tasks) {
      const [container] = containersOf(s, taskId);
      expect(container.Secrets).toEqual([
        { Name: 'NATS_USER', ValueFrom: `${SECRET}:user::` },
        { Name: 'NATS_PASSWORD', ValueFrom: `${SECRET}:password::` },
      ]);
      const plain = (container.Environment as { Name: string }[]).map((e) => e.Name);
      expect(plain.filter((n) => /^NATS_(USER|PASSWORD|TOKEN)$/.test(n))).toEqual([]);
      const env = deployedEnvironment(container);
      expect(env.NATS_URL).toBe('tls://nats.example.internal:4222');
      expect(() => loadEnv(schemas[container.Name as keyof typeof schemas], env)).not.toThrow();
    }
  });

  it('execution roles may read exactly that secret', () => {
    for (const [, task] of resourcesOfType(s, 'AWS::ECS::TaskDefinition')) {
      const role = render(task.Properties!.ExecutionRoleArn).slice(1, -5);
      const secretStatements = statementsOfRole(s, role).filter((st) => st.actions.some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements).toEqual([{ actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], resources: [SECRET] }]);
    }
  });

  it('scanner may list the source under its prefix, transformer may read its objects', () => {
    const scanner = statementsOfRole(s, s.id(s.stack.workers.scanner.taskRole));
    expect(scanner).toContainEqual({
      actions: ['s3:ListBucket'],
      resources: ['arn:{AWS::Partition}:s3:::tlc-mirror'],
      conditions: { StringLike: { 's3:prefix': ['trip data/*'] } },
    });
    expect(scanner.flatMap((st) => st.resources).filter((r) => r.includes('tlc-mirror'))).toHaveLength(1);
    const transformer = statementsOfRole(s, s.id(s.stack.workers.transformer.taskRole));
    expect(transformer).toContainEqual({ actions: ['s3:GetObject'], resources: ['arn:{AWS::Partition}:s3:::tlc-mirror/trip data/*'] });
    expect(transformer.flatMap((st) => st.resources).filter((r) => r.includes('tlc-mirror'))).toHaveLength(1);
    const env = deployedEnvironment(containersOf(s, s.id(s.stack.workers.transformer.taskDefinition))[0]);
    expect(env.SOURCE_URL).toBe('s3://tlc-mirror/trip data/');
  });

  it('transformers on Spot and on-demand by the given weights, every task on ARM64, the image built for linux/arm64', () => {
    const transformer = s.json.Resources[s.id(s.stack.workers.transformerService)].Properties!;
    expect(transformer.CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      { CapacityProvider: 'FARGATE', Weight: 1, Base: 2 },
    ]);
    expect(transformer.LaunchType).toBeUndefined();
    s.template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
    for (const [, task] of resourcesOfType(s, 'AWS::ECS::TaskDefinition')) {
      expect(task.Properties!.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    }
    const assets = JSON.parse(readFileSync(join(s.outdir, 'Sluice.assets.json'), 'utf8'));
    const images = Object.values<{ source: { platform?: string } }>(assets.dockerImages);
    expect(images.map((i) => i.source.platform)).toEqual(['linux/arm64']);
  });

  it('the schedule uses the given cron and time zone; the capacity manager the given worker limit', () => {
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 4 ? * SUN *)',
      ScheduleExpressionTimezone: 'America/New_York',
      State: 'ENABLED',
    });
    const env = deployedEnvironment(containersOf(s, s.id(s.stack.workers.capacityManager.taskDefinition))[0]);
    expect(env.WORKERS_MAX).toBe('8');
  });
});

describe('nats=external with a token, and without credentials', () => {
  it('token: NATS_TOKEN from the "token" key', () => {
    const s = synth({ nats: 'external', natsUrl: 'nats://10.0.0.5:4222', natsSecretArn: SECRET, natsAuth: 'token' });
    try {
      const [container] = containersOf(s, s.id(s.stack.workers.scanner.taskDefinition));
      expect(container.Secrets).toEqual([{ Name: 'NATS_TOKEN', ValueFrom: `${SECRET}:token::` }]);
    } finally {
      s.cleanup();
    }
  });

  it('no secret: no container secrets and no Secrets Manager permission; transformers on-demand only', () => {
    const s = synth({ nats: 'external', natsUrl: 'nats://10.0.0.5:4222', scheduleEnabled: 'false', transformerCapacity: 'on-demand' });
    try {
      for (const [taskId, task] of resourcesOfType(s, 'AWS::ECS::TaskDefinition')) {
        expect(containersOf(s, taskId)[0].Secrets).toBeUndefined();
        const role = render(task.Properties!.ExecutionRoleArn).slice(1, -5);
        expect(statementsOfRole(s, role).flatMap((st) => st.actions).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
      }
      s.template.hasResourceProperties('AWS::Scheduler::Schedule', { State: 'DISABLED' });
      for (const [, service] of resourcesOfType(s, 'AWS::ECS::Service')) {
        expect([service.Properties!.LaunchType, service.Properties!.CapacityProviderStrategy]).toEqual(['FARGATE', undefined]);
      }
      s.template.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 0);
      expectStatements(statementsOfRole(s, s.id(s.stack.workers.capacityManager.taskRole)), [
        { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [`{${s.id(s.stack.workers.transformerService)}}`] },
      ]);
    } finally {
      s.cleanup();
    }
  });
});

describe('nats=external: a JetStream cluster with three replicas', () => {
  it('the scanner, the transformer and the capacity manager get NATS_REPLICAS=3 and every server; a default stack sets none', () => {
    const natsUrl = 'tls://nats-1.example.internal:4222,tls://nats-2.example.internal:4222,tls://nats-3.example.internal:4222';
    const s = synth({ nats: 'external', natsUrl, natsAuth: 'nkey', natsReplicas: '3', natsPublicKeys: undefined });
    try {
      const { workers, weeklyRun } = s.stack;
      const schemas = { scanner: scannerEnvSchema, transformer: transformerEnvSchema, 'capacity-manager': capacityEnvSchema };
      for (const [app, task] of Object.entries({ scanner: workers.scanner, transformer: workers.transformer, 'capacity-manager': workers.capacityManager })) {
        const env = deployedEnvironment(containersOf(s, s.id(task.taskDefinition))[0]);
        expect([env.NATS_URL, env.NATS_REPLICAS], app).toEqual([natsUrl, '3']);
        expect(loadEnv(schemas[app as keyof typeof schemas], env).NATS_REPLICAS, app).toBe(3);
      }
      // The CLI declares nothing: it reads the topology as it is.
      expect(deployedEnvironment(containersOf(s, s.id(weeklyRun.cli.taskDefinition))[0]).NATS_REPLICAS).toBeUndefined();
    } finally {
      s.cleanup();
    }
    const single = synth({ nats: 'external', natsUrl: 'nats://10.0.0.5:4222' });
    try {
      for (const [taskId] of resourcesOfType(single, 'AWS::ECS::TaskDefinition')) expect(deployedEnvironment(containersOf(single, taskId)[0]).NATS_REPLICAS).toBeUndefined();
    } finally {
      single.cleanup();
    }
  });
});

describe('nats=external with nkeys', () => {
  it("each task gets only its own role's seed as a container secret, and its execution role may read only that secret", () => {
    const s = synth({ nats: 'external', natsUrl: 'tls://nats.example.internal:4222', natsAuth: 'nkey', natsSeedSecretPrefix: 'prod/sluice-bus/', natsPublicKeys: undefined });
    try {
      const { workers, weeklyRun } = s.stack;
      const tasks = { scanner: workers.scanner, transformer: workers.transformer, 'capacity-manager': workers.capacityManager, operator: weeklyRun.cli };
      for (const [role, task] of Object.entries(tasks)) {
        const [container] = containersOf(s, s.id(task.taskDefinition));
        const arn = `arn:{AWS::Partition}:secretsmanager:{AWS::Region}:{AWS::AccountId}:secret:prod/sluice-bus/${role}`;
        expect(render(container.Secrets), role).toEqual([{ Name: 'NATS_NKEY_SEED', ValueFrom: arn }]);
        const executionRole = s.id(task.taskDefinition.executionRole!);
        const secretStatements = statementsOfRole(s, executionRole).filter((st) => st.actions.some((a) => a.startsWith('secretsmanager:')));
        expect(secretStatements, role).toEqual([{ actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], resources: [`${arn}-??????`] }]);
      }
    } finally {
      s.cleanup();
    }
  });
});

describe('bad context', () => {
  it('fails synth with one message naming every bad key', () => {
    let message = '';
    try {
      synth({ nats: 'external', schedule: '0 6 * * 1', transformerCpu: '300', sourceUrl: 'file:///data' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid sluice context:\n/);
    expect(message).toContain('natsUrl: required with -c nats=external');
    expect(message).toContain('sourceUrl: must be https://host/path/ or s3://bucket[/prefix]');
    expect(message).toContain('schedule: must be cron(m h dom mon dow year) or rate(n unit)');
    expect(message).toMatch(/transformerCpu: /);
    expect(message.split('\n')).toHaveLength(5);
  });
});
