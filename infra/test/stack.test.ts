// The default deployment (`cdk deploy` with no context): resources, network exposure, task definitions, services.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityEnvSchema, cliEnvSchema, loadEnv, scannerEnvSchema, transformerEnvSchema } from '@sluice/config';
import { BUS_ROLES, CLOUDWATCH_METRICS, CLOUDWATCH_NAMESPACE, DATASET_NAMES } from '@sluice/contracts';
import { renderBusAuthorization } from '@sluice/messaging';
import { DRAIN_UNWIND_MS } from '@sluice/messaging/nest';
import { FARGATE_SPOT_NOTICE_SECONDS } from '../lib/settings';
import { containersOf, deployedEnvironment, environmentOf, render, resourcesOfType, synth, TEST_NATS_PUBLIC_KEYS, typeCounts, type Synth } from './synth-support';

let s: Synth;
beforeAll(() => {
  s = synth();
});
afterAll(() => s?.cleanup());

const schemas = { scanner: scannerEnvSchema, 'capacity-manager': capacityEnvSchema, transformer: transformerEnvSchema, cli: cliEnvSchema };

describe('default deployment (nats=service)', () => {
  it('has exactly these resources, and no NAT gateway, Lambda or custom resource', () => {
    expect(typeCounts(s)).toEqual({
      'AWS::S3::Bucket': 1,
      'AWS::S3::BucketPolicy': 1,
      'AWS::EC2::VPC': 1,
      'AWS::EC2::Subnet': 2,
      'AWS::EC2::RouteTable': 2,
      'AWS::EC2::SubnetRouteTableAssociation': 2,
      'AWS::EC2::Route': 2,
      'AWS::EC2::InternetGateway': 1,
      'AWS::EC2::VPCGatewayAttachment': 1,
      'AWS::EC2::VPCEndpoint': 1,
      'AWS::EC2::SecurityGroup': 3,
      'AWS::EC2::SecurityGroupIngress': 2,
      'AWS::ECS::Cluster': 1,
      'AWS::ECS::ClusterCapacityProviderAssociations': 1,
      'AWS::ECS::TaskDefinition': 5,
      'AWS::ECS::Service': 4,
      'AWS::EFS::FileSystem': 1,
      'AWS::EFS::MountTarget': 2,
      'AWS::EFS::AccessPoint': 1,
      'AWS::ServiceDiscovery::PrivateDnsNamespace': 1,
      'AWS::ServiceDiscovery::Service': 1,
      'AWS::IAM::Role': 11,
      'AWS::IAM::Policy': 10,
      'AWS::Logs::LogGroup': 5,
      'AWS::Scheduler::Schedule': 1,
      'AWS::SNS::Topic': 1,
      'AWS::CloudWatch::Alarm': 4,
      'AWS::Glue::Database': 1,
      'AWS::Glue::Table': 4,
      'AWS::Athena::WorkGroup': 1,
    });
  });

  it('sink bucket: encrypted, public access blocked, TLS only, kept on destroy, test prefix expires', () => {
    const [[bucketId, bucket]] = resourcesOfType(s, 'AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties!.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties!.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties!.LifecycleConfiguration.Rules).toEqual([
      { Id: 'expire-test-subset-outputs', Prefix: '_test/', ExpirationInDays: 7, Status: 'Enabled' },
      { Id: 'expire-athena-results', Prefix: '_athena/', ExpirationInDays: 7, Status: 'Enabled' },
      { Id: 'abort-incomplete-multipart-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ]);
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  it('Athena: the sluice database with one table per dataset over the sink bucket, results under its _athena/ (catalog.test.ts has the rest)', () => {
    const bucket = s.id(s.stack.sink.bucket);
    const tables = resourcesOfType(s, 'AWS::Glue::Table').map(([, t]) => render(t.Properties!.TableInput));
    expect(tables.map((t) => [t.Name, t.StorageDescriptor.Location]).sort()).toEqual(
      [...DATASET_NAMES].sort().map((d) => [d, `s3://{${bucket}}/${d}/`]),
    );
    for (const t of tables) expect(t.Parameters['storage.location.template']).toBe(`s3://{${bucket}}/${t.Name}/year=\${year}/month=\${month}/`);
    s.template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'sluice' }) });
    const [[, workgroup]] = resourcesOfType(s, 'AWS::Athena::WorkGroup');
    expect(render(workgroup.Properties!.WorkGroupConfiguration.ResultConfiguration.OutputLocation)).toBe(`s3://{${bucket}}/_athena/`);
  });

  it('network: public subnets only, every task with a public IP, nothing open inbound but NATS from the services', () => {
    s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, subnet] of resourcesOfType(s, 'AWS::EC2::Subnet')) expect(subnet.Properties!.MapPublicIpOnLaunch).toBe(true);
    for (const [, service] of resourcesOfType(s, 'AWS::ECS::Service')) {
      expect(service.Properties!.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
    }
    const app = s.id(s.stack.network.appSecurityGroup);
    const nats = s.id(s.stack.natsService!.securityGroup);
    const groups = Object.fromEntries(resourcesOfType(s, 'AWS::EC2::SecurityGroup'));
    for (const group of Object.values(groups)) expect(group.Properties!.SecurityGroupIngress).toBeUndefined();
    const ingress = resourcesOfType(s, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => render(r.Properties));
    const storeGroup = Object.keys(groups).find((g) => g !== app && g !== nats)!;
    expect(ingress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ GroupId: `{${nats}.GroupId}`, SourceSecurityGroupId: `{${app}.GroupId}`, FromPort: 4222, ToPort: 4222, IpProtocol: 'tcp' }),
        expect.objectContaining({ GroupId: `{${storeGroup}.GroupId}`, SourceSecurityGroupId: `{${nats}.GroupId}`, FromPort: 2049, ToPort: 2049 }),
      ]),
    );
    expect(ingress).toHaveLength(2);
  });

  it('services: scanner 1, capacity manager 1, NATS 1, transformer 0; the three wait for NATS', () => {
    const w = s.stack.workers;
    const desired = {
      scanner: s.json.Resources[s.id(w.scannerService)].Properties!.DesiredCount,
      capacityManager: s.json.Resources[s.id(w.capacityService)].Properties!.DesiredCount,
      transformer: s.json.Resources[s.id(w.transformerService)].Properties!.DesiredCount,
      nats: s.json.Resources[s.id(s.stack.natsService!.service)].Properties!.DesiredCount,
    };
    expect(desired).toEqual({ scanner: 1, capacityManager: 1, transformer: 0, nats: 1 });
    for (const [, service] of resourcesOfType(s, 'AWS::ECS::Service')) {
      expect(service.Properties!.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    }
    for (const service of [w.scannerService, w.capacityService, w.transformerService]) {
      expect(s.json.Resources[s.id(service)].DependsOn).toContain(s.id(s.stack.natsService!.service));
    }
    // Singletons are replaced stop-first: two scanners, managers or NATS servers never run at once.
    for (const service of [w.scannerService, w.capacityService, s.stack.natsService!.service]) {
      const deployment = s.json.Resources[s.id(service)].Properties!.DeploymentConfiguration;
      expect([deployment.MinimumHealthyPercent, deployment.MaximumPercent]).toEqual([0, 100]);
    }
  });

  it('transformers on Fargate Spot with one on-demand task as the base; the always-on services on-demand', () => {
    const w = s.stack.workers;
    const transformer = s.json.Resources[s.id(w.transformerService)];
    expect(transformer.Properties!.CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      { CapacityProvider: 'FARGATE', Weight: 0, Base: 1 },
    ]);
    expect(transformer.Properties!.LaunchType).toBeUndefined(); // ECS refuses a launch type next to a strategy
    const [[associationsId, associations]] = resourcesOfType(s, 'AWS::ECS::ClusterCapacityProviderAssociations');
    expect(render(associations.Properties)).toEqual({
      Cluster: `{${s.id(s.stack.cluster)}}`,
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      DefaultCapacityProviderStrategy: [],
    });
    expect(transformer.DependsOn).toContain(associationsId); // else ECS may see FARGATE_SPOT before it is associated
    for (const service of [w.scannerService, w.capacityService, s.stack.natsService!.service]) {
      const props = s.json.Resources[s.id(service)].Properties!;
      expect([props.LaunchType, props.CapacityProviderStrategy]).toEqual(['FARGATE', undefined]);
    }
    // the one-shot CLI task is on-demand too: a Spot interruption would only delay a run's start
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ EcsParameters: Match.objectLike({ LaunchType: 'FARGATE' }) }) });
  });

  it('transformer: stop timeout at the Fargate maximum, drain timeout inside it, sized for a whole file', () => {
    const taskId = s.id(s.stack.workers.transformer.taskDefinition);
    const task = s.json.Resources[taskId].Properties!;
    const [container] = containersOf(s, taskId);
    expect(container.StopTimeout).toBe(120);
    const drainMs = Number(environmentOf(container).DRAIN_TIMEOUT_MS);
    expect(drainMs).toBe(100_000);
    expect(drainMs).toBeLessThan(container.StopTimeout * 1000);
    // past the drain timeout an aborted file gets DRAIN_UNWIND_MS to unwind (a manifest write under way finishes)
    expect(drainMs + DRAIN_UNWIND_MS).toBeLessThan(container.StopTimeout * 1000);
    // a Spot interruption's SIGTERM comes two minutes before the stop: the whole stop timeout fits in that notice
    expect(container.StopTimeout).toBeLessThanOrEqual(FARGATE_SPOT_NOTICE_SECONDS);
    expect([task.Cpu, task.Memory]).toEqual(['1024', '4096']);
  });

  it('every sluice container runs `node dist/apps/<app>/src/main.js` of the one image, with an env its config schema accepts', () => {
    const tasks = {
      scanner: s.stack.workers.scanner,
      'capacity-manager': s.stack.workers.capacityManager,
      transformer: s.stack.workers.transformer,
      cli: s.stack.weeklyRun.cli,
    } as const;
    const images = new Set<string>();
    for (const [app, task] of Object.entries(tasks)) {
      const [container, ...others] = containersOf(s, s.id(task.taskDefinition));
      expect(others).toHaveLength(0);
      expect(container.Name).toBe(app);
      expect(container.Command.slice(0, 2)).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      images.add(JSON.stringify(container.Image));
      const env = deployedEnvironment(container);
      const schema = schemas[app as keyof typeof schemas];
      expect(Object.keys(env).filter((k) => !(k in schema.shape)), `${app}: keys its schema does not know`).toEqual([]);
      expect(() => loadEnv(schema, env), app).not.toThrow();
      expect(env.NATS_URL).toBe('nats://nats.sluice.internal:4222');
      expect(env.LOG_FORMAT).toBe('json');
      expect(container.LinuxParameters).toEqual({ InitProcessEnabled: true, Capabilities: {} });
    }
    expect(images.size).toBe(1);
    expect([...images][0]).toContain('cdk-hnb659fds-container-assets');
  });

  it('capacity manager drives exactly the transformer service of this cluster', () => {
    const [container] = containersOf(s, s.id(s.stack.workers.capacityManager.taskDefinition));
    expect(environmentOf(container)).toEqual({
      NATS_URL: 'nats://nats.sluice.internal:4222',
      LOG_FORMAT: 'json',
      HTTP_PORT: '8080',
      CAPACITY_BACKEND: 'ecs',
      ECS_CLUSTER: `{${s.id(s.stack.cluster)}}`,
      ECS_SERVICE: `{${s.id(s.stack.workers.transformerService)}.Name}`,
      AWS_REGION: '{AWS::Region}',
      WORKERS_MAX: '4',
      IDLE_TIMEOUT_MS: '120000',
      SCALE_COOLDOWN_MS: '60000',
      METRICS_EMF: 'true',
    });
  });

  it('scanner and transformer read the default TLC HTTPS source and write the stack bucket', () => {
    for (const task of [s.stack.workers.scanner, s.stack.workers.transformer]) {
      const env = environmentOf(containersOf(s, s.id(task.taskDefinition))[0]);
      expect(env.SOURCE_URL).toBe('https://d37ci6vzurychx.cloudfront.net/trip-data/');
      expect(env.SINK_URL).toBe(`s3://{${s.id(s.stack.sink.bucket)}}`);
      expect(env.AWS_REGION).toBe('{AWS::Region}');
    }
  });

  it('long-running services are health-checked on /health; the one-shot CLI is not', () => {
    for (const task of [s.stack.workers.scanner, s.stack.workers.capacityManager, s.stack.workers.transformer]) {
      const [container] = containersOf(s, s.id(task.taskDefinition));
      expect(container.HealthCheck.Command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(container.HealthCheck.Command[3]).toContain('http://127.0.0.1:8080/health');
    }
    expect(containersOf(s, s.id(s.stack.weeklyRun.cli.taskDefinition))[0].HealthCheck).toBeUndefined();
  });

  it('weekly trigger: the schedule runs the one-shot CLI task `sluice run --intent incremental` in this cluster', () => {
    const [[, schedule], ...more] = resourcesOfType(s, 'AWS::Scheduler::Schedule');
    expect(more).toHaveLength(0);
    const cliTask = s.id(s.stack.weeklyRun.cli.taskDefinition);
    const subnets = s.stack.network.vpc.publicSubnets.map((subnet) => `{${s.id(subnet)}}`);
    expect(render(schedule.Properties)).toEqual({
      Description: 'sluice: weekly incremental run',
      ScheduleExpression: 'cron(0 6 ? * MON *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: `{${s.id(s.stack.cluster)}.Arn}`,
        RoleArn: `{${s.id(s.stack.weeklyRun.role)}.Arn}`,
        EcsParameters: {
          TaskDefinitionArn: `{${cliTask}}`,
          LaunchType: 'FARGATE',
          TaskCount: 1,
          NetworkConfiguration: {
            AwsvpcConfiguration: { Subnets: subnets, SecurityGroups: [`{${s.id(s.stack.network.appSecurityGroup)}.GroupId}`], AssignPublicIp: 'ENABLED' },
          },
        },
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
      },
    });
    const [cli] = containersOf(s, cliTask);
    expect(cli.Command).toEqual(['node', 'dist/apps/cli/src/main.js', 'run', '--intent', 'incremental']);
    expect(render(s.json.Resources[cliTask].Properties!.TaskRoleArn)).toBe(`{${s.id(s.stack.weeklyRun.cli.taskRole)}.Arn}`);
  });

  it('log groups: one per task definition, each with a retention, each container logging to its own', () => {
    const groups = resourcesOfType(s, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(5);
    for (const [, group] of groups) expect(group.Properties!.RetentionInDays).toBe(30);
    const used = resourcesOfType(s, 'AWS::ECS::TaskDefinition').map(([, t]) => {
      const [container] = t.Properties!.ContainerDefinitions;
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
      return render(container.LogConfiguration.Options['awslogs-group']);
    });
    expect(new Set(used)).toEqual(new Set(groups.map(([id]) => `{${id}}`)));
  });

  it('NATS: JetStream stored on an encrypted EFS access point over TLS with IAM, reachable as nats.sluice.internal', () => {
    const nats = s.stack.natsService!;
    const taskId = s.id(nats.service.taskDefinition);
    const [container] = containersOf(s, taskId);
    expect(container.Command.join(' ')).toContain('nats-server --config /tmp/sluice-nats.conf --jetstream --store_dir /data ');
    expect(container.MountPoints).toEqual([{ ContainerPath: '/data', SourceVolume: 'jetstream', ReadOnly: false }]);
    const [volume] = s.json.Resources[taskId].Properties!.Volumes;
    expect(render(volume.EFSVolumeConfiguration)).toEqual({
      FilesystemId: `{${s.id(nats.fileSystem)}}`,
      TransitEncryption: 'ENABLED',
      AuthorizationConfig: { AccessPointId: expect.stringMatching(/^\{NatsJetStreamStoreJetStreamDir.*\}$/), IAM: 'ENABLED' },
    });
    const fileSystem = s.json.Resources[s.id(nats.fileSystem)];
    expect(fileSystem.Properties!.Encrypted).toBe(true);
    expect(fileSystem.DeletionPolicy).toBe('Retain');
    expect(render(fileSystem.Properties!.FileSystemPolicy.Statement)).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: `{${s.id(nats.taskRole)}.Arn}` },
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true', 'aws:SecureTransport': 'true' } },
      },
    ]);
    s.template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'sluice.internal' });
    s.template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'nats', DnsConfig: Match.objectLike({ DnsRecords: [{ Type: 'A', TTL: 10 }] }) });
  });

  it("NATS: one nkey user per role with its permissions, deny by default, no anonymous user; public keys only in the template", () => {
    const [container] = containersOf(s, s.id(s.stack.natsService!.service.taskDefinition));
    const env = environmentOf(container);
    expect(env.NATS_AUTHORIZATION).toBe(renderBusAuthorization(TEST_NATS_PUBLIC_KEYS));
    for (const role of BUS_ROLES) expect(env.NATS_AUTHORIZATION).toContain(`{ nkey: "${TEST_NATS_PUBLIC_KEYS[role]}", permissions: {`);
    expect(env.NATS_AUTHORIZATION).toContain('default_permissions: { publish: { deny: [">"] }, subscribe: { deny: [">"] } }');
    expect(env.NATS_AUTHORIZATION).not.toMatch(/no_auth_user|password|token/);
    // Written to the file the server is started with, before it starts.
    expect(container.EntryPoint).toEqual(['/bin/sh', '-c']);
    expect(container.Command).toEqual([
      `printf '%s' "$NATS_AUTHORIZATION" > /tmp/sluice-nats.conf && exec nats-server --config /tmp/sluice-nats.conf --jetstream --store_dir /data --http_port 8222 --server_name sluice-nats`,
    ]);
    // No seed anywhere in the template: each task reads its own from Secrets Manager.
    expect(JSON.stringify(s.json)).not.toMatch(/\bSU[A-Z2-7]{50,}/);
  });

  it('no NATS container in the template runs without that authorization', () => {
    const natsContainers = resourcesOfType(s, 'AWS::ECS::TaskDefinition')
      .flatMap(([id]) => containersOf(s, id))
      .filter((c) => /nats/.test(JSON.stringify(c.Image)) || /nats-server/.test(JSON.stringify(c.Command)));
    expect(natsContainers).toHaveLength(1);
    for (const c of natsContainers) {
      expect(c.Command.join(' ')).toMatch(/--config (\S+)/);
      expect(environmentOf(c).NATS_AUTHORIZATION).toMatch(/^authorization \{$/m);
    }
  });

  it("each task connects as its own bus role: NATS_NKEY_SEED from that role's secret, never as plain environment", () => {
    const tasks = { scanner: s.stack.workers.scanner, transformer: s.stack.workers.transformer, 'capacity-manager': s.stack.workers.capacityManager, operator: s.stack.weeklyRun.cli };
    for (const [role, task] of Object.entries(tasks)) {
      const [container] = containersOf(s, s.id(task.taskDefinition));
      expect(render(container.Secrets), role).toEqual([
        { Name: 'NATS_NKEY_SEED', ValueFrom: `arn:{AWS::Partition}:secretsmanager:{AWS::Region}:{AWS::AccountId}:secret:sluice/nats/${role}` },
      ]);
      expect(Object.keys(environmentOf(container)).filter((k) => /^NATS_(NKEY|USER|PASSWORD|TOKEN|CREDS)/.test(k)), role).toEqual([]);
    }
  });

  it('the image asset holds only what the Dockerfile needs: no node_modules, dist, .git, tests or infra', () => {
    const assets = readdirSync(s.outdir).filter((f) => f.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const staged = join(s.outdir, assets[0]);
    expect(readdirSync(staged).sort()).toEqual(
      ['.dockerignore', 'Dockerfile', 'apps', 'libs', 'package-lock.json', 'package.json', 'tsconfig.build.json', 'tsconfig.json'].sort(),
    );
    const files = readdirSync(staged, { recursive: true }).map(String);
    expect(files.filter((f) => /(^|\/)(node_modules|dist|__tests__)(\/|$)|\.spec\.ts$/.test(f))).toEqual([]);
    expect(files).toContain(join('apps', 'transformer', 'src', 'main.ts'));
  });

  it('outputs the commands a user needs to trigger and watch a run', () => {
    const outputs = s.json.Outputs!;
    expect(Object.keys(outputs).sort()).toEqual(
      ['AlarmTopicArn', 'CliTaskDefinition', 'ClusterName', 'LogGroups', 'RunNowCommand', 'ScheduleName', 'SinkUrl', 'TaskNetwork', 'TransformerServiceName'].sort(),
    );
    const cluster = s.id(s.stack.cluster);
    const cli = s.id(s.stack.weeklyRun.cli.taskDefinition);
    const app = s.id(s.stack.network.appSecurityGroup);
    expect(render(outputs.RunNowCommand.Value)).toMatch(
      new RegExp(
        `^aws ecs run-task --launch-type FARGATE --cluster \\{${cluster}\\} --task-definition \\{${cli}\\} ` +
          `--network-configuration "awsvpcConfiguration=\\{subnets=\\[\\{[^}]+\\},\\{[^}]+\\}\\],securityGroups=\\[\\{${app}\\.GroupId\\}\\],assignPublicIp=ENABLED\\}"$`,
      ),
    );
  });

  it('alarms on the four figures the services write as EMF, each notifying the SNS topic; no e-mail subscription unless asked', () => {
    const topic = s.id(s.stack.alarms.topic);
    const alarms: Record<string, Record<string, any>> = Object.fromEntries(
      resourcesOfType(s, 'AWS::CloudWatch::Alarm').map(([, r]) => [r.Properties!.MetricName, r.Properties!]),
    );
    const common = { Namespace: CLOUDWATCH_NAMESPACE, Period: 300, AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] };
    const { filesFailed, runsStuck, backlogAge, dlqDepth } = CLOUDWATCH_METRICS;
    expect(Object.keys(alarms).sort()).toEqual([filesFailed.name, runsStuck.name, backlogAge.name, dlqDepth.name].sort());
    expect(alarms[filesFailed.name]).toMatchObject({
      ...common, Statistic: 'Sum', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1, TreatMissingData: 'notBreaching',
    });
    // stuck for the whole of 12 five-minute periods in a row: an hour by default
    expect(alarms[runsStuck.name]).toMatchObject({
      ...common, Statistic: 'Minimum', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, EvaluationPeriods: 12, DatapointsToAlarm: 12,
      TreatMissingData: 'notBreaching',
    });
    expect(alarms[backlogAge.name]).toMatchObject({
      ...common, Statistic: 'Maximum', ComparisonOperator: 'GreaterThanThreshold', Threshold: 180 * 60, EvaluationPeriods: 1, TreatMissingData: 'missing',
    });
    expect(alarms[dlqDepth.name]).toMatchObject({
      ...common, Statistic: 'Maximum', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1, TreatMissingData: 'missing',
    });
    // The emitter writes no dimensions (CLOUDWATCH_DIMENSIONS is empty), nor a unit filter that could miss its datapoints.
    for (const alarm of Object.values(alarms)) expect([alarm.Dimensions ?? [], alarm.Unit]).toEqual([[], undefined]);
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(render(s.json.Outputs!.AlarmTopicArn.Value)).toBe(`{${topic}}`);
  });

  it('turns the EMF figures on in the scanner and the capacity manager, whose logs CloudWatch extracts them from', () => {
    for (const task of [s.stack.workers.scanner, s.stack.workers.capacityManager]) {
      const env = deployedEnvironment(containersOf(s, s.id(task.taskDefinition))[0]);
      const parsed = loadEnv(task === s.stack.workers.scanner ? scannerEnvSchema : capacityEnvSchema, env);
      expect([parsed.METRICS_EMF, parsed.LOG_FORMAT]).toEqual([true, 'json']);
      expect(containersOf(s, s.id(task.taskDefinition))[0].LogConfiguration.LogDriver).toBe('awslogs');
    }
  });
});
