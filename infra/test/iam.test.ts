// Each role's exact actions and resources. A new permission, a wider resource or a new role fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatements, normalizeStatement, render, resourcesOfType, statementsOfRole, synth, type NormalStatement, type Synth } from './synth-support';

let s: Synth;
let ids: Record<string, string>;
beforeAll(() => {
  s = synth();
  const { workers, weeklyRun, natsService } = s.stack;
  ids = {
    bucket: s.id(s.stack.sink.bucket),
    cluster: s.id(s.stack.cluster),
    transformerService: s.id(workers.transformerService),
    scanner: s.id(workers.scanner.taskRole),
    transformer: s.id(workers.transformer.taskRole),
    capacityManager: s.id(workers.capacityManager.taskRole),
    cli: s.id(weeklyRun.cli.taskRole),
    nats: s.id(natsService!.taskRole),
    scheduler: s.id(weeklyRun.role),
    cliTask: s.id(weeklyRun.cli.taskDefinition),
    cliExecution: s.id(weeklyRun.cli.taskDefinition.executionRole!),
    fileSystem: s.id(natsService!.fileSystem),
  };
});
afterAll(() => s?.cleanup());

const bucketArn = () => `{${ids.bucket}.Arn}`;
const objects = (...patterns: string[]) => patterns.map((p) => `${bucketArn()}/${p}`);
const DATA = ['fhvhv/*', 'yellow/*', 'green/*', 'fhv/*'];
const QUARANTINE = DATA.map((p) => `_quarantine/${p}`);

describe('task roles (nats=service, HTTPS source)', () => {
  it('scanner: lists and reads manifests (and test-prefix ones), writes run reports, deletes orphan data, manifests and quarantine files; nothing else', () => {
    expectStatements(statementsOfRole(s, ids.scanner), [
      { actions: ['s3:ListBucket'], resources: [bucketArn()], conditions: { StringLike: { 's3:prefix': ['_sluice/manifests/*'] } } },
      { actions: ['s3:GetObject'], resources: objects('_sluice/manifests/*', '_test/_sluice/manifests/*') },
      { actions: ['s3:PutObject'], resources: objects('_sluice/runs/*', '_test/_sluice/runs/*') },
      { actions: ['s3:DeleteObject'], resources: objects(...DATA, '_sluice/manifests/*', ...QUARANTINE) },
    ]);
  });

  it('transformer: writes only data, quarantine and manifest keys (production and test prefix), reads manifests, deletes only quarantine files, holds its task protection', () => {
    const written = [...DATA, '_sluice/manifests/*', ...QUARANTINE];
    expectStatements(statementsOfRole(s, ids.transformer), [
      // bucket-level ListBucket: a GET of a manifest not written yet must be 404, not 403 (see task-policies.ts)
      { actions: ['s3:ListBucket'], resources: [bucketArn()] },
      { actions: ['s3:GetObject'], resources: objects('_sluice/manifests/*', '_test/_sluice/manifests/*') },
      { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: objects(...written, ...written.map((p) => `_test/${p}`)) },
      { actions: ['s3:DeleteObject'], resources: objects(...QUARANTINE, ...QUARANTINE.map((p) => `_test/${p}`)) },
      {
        actions: ['ecs:UpdateTaskProtection'],
        resources: [`arn:{AWS::Partition}:ecs:{AWS::Region}:{AWS::AccountId}:task/{${ids.cluster}}/*`],
      },
    ]);
  });

  it('capacity manager: DescribeServices and UpdateService on the transformer service only', () => {
    expectStatements(statementsOfRole(s, ids.capacityManager), [
      { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [`{${ids.transformerService}}`] },
    ]);
  });

  it('CLI task: no permissions at all (it only talks to NATS)', () => {
    expect(statementsOfRole(s, ids.cli)).toEqual([]);
  });

  it('NATS: mount and write its file system, only through its access point', () => {
    const [statement, ...rest] = statementsOfRole(s, ids.nats);
    expect(rest).toEqual([]);
    expect(statement.actions).toEqual(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']);
    expect(statement.resources).toEqual([`{${ids.fileSystem}.Arn}`]);
    expect(statement.conditions).toEqual({
      StringEquals: { 'elasticfilesystem:AccessPointArn': expect.stringMatching(/:access-point\/\{NatsJetStreamStoreJetStreamDir\w+\}$/) },
    });
  });

  it('scheduler: RunTask of the CLI task definition in this cluster, PassRole of its two roles to ECS tasks only', () => {
    expectStatements(statementsOfRole(s, ids.scheduler), [
      { actions: ['ecs:RunTask'], resources: [`{${ids.cliTask}}`], conditions: { ArnEquals: { 'ecs:cluster': `{${ids.cluster}.Arn}` } } },
      {
        actions: ['iam:PassRole'],
        resources: [`{${ids.cli}.Arn}`, `{${ids.cliExecution}.Arn}`],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]);
  });

  it("execution roles: pull the asset image (sluice tasks), write their own log group, read their own role's NATS seed; nothing else", () => {
    const tasks = resourcesOfType(s, 'AWS::ECS::TaskDefinition');
    expect(tasks).toHaveLength(5);
    const { workers, weeklyRun } = s.stack;
    const roleOfTask: Record<string, string> = {
      [s.id(workers.scanner.taskDefinition)]: 'scanner',
      [s.id(workers.transformer.taskDefinition)]: 'transformer',
      [s.id(workers.capacityManager.taskDefinition)]: 'capacity-manager',
      [s.id(weeklyRun.cli.taskDefinition)]: 'operator',
    };
    for (const [taskId, task] of tasks) {
      const executionRole = render(task.Properties!.ExecutionRoleArn).replace(/^\{(.*)\.Arn\}$/, '$1');
      const logGroup = render(task.Properties!.ContainerDefinitions[0].LogConfiguration.Options['awslogs-group']);
      const expected: NormalStatement[] = [{ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.replace(/\}$/, '.Arn}')] }];
      if (taskId !== s.id(s.stack.natsService!.service.taskDefinition)) {
        expected.push(
          {
            actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            resources: ['arn:{AWS::Partition}:ecr:{AWS::Region}:{AWS::AccountId}:repository/cdk-hnb659fds-container-assets-{AWS::AccountId}-{AWS::Region}'],
          },
          { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
          {
            actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            resources: [`arn:{AWS::Partition}:secretsmanager:{AWS::Region}:{AWS::AccountId}:secret:sluice/nats/${roleOfTask[taskId]}-??????`],
          },
        );
      }
      expectStatements(statementsOfRole(s, executionRole), expected);
    }
  });

  it('every role is one of these, trusted only by its service', () => {
    const roles = resourcesOfType(s, 'AWS::IAM::Role');
    const executionRoles = resourcesOfType(s, 'AWS::ECS::TaskDefinition').map(([, t]) => render(t.Properties!.ExecutionRoleArn).slice(1, -5));
    const taskRoles = [ids.scanner, ids.transformer, ids.capacityManager, ids.cli, ids.nats];
    expect(roles.map(([id]) => id).sort()).toEqual([...taskRoles, ...executionRoles, ids.scheduler].sort());
    for (const [id, role] of roles) {
      const [trust, ...more] = role.Properties!.AssumeRolePolicyDocument.Statement;
      expect(more).toEqual([]);
      expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties!.Policies).toBeUndefined();
      if (id === ids.scheduler) {
        expect(render(trust)).toEqual({
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '{AWS::AccountId}' } },
        });
      } else {
        expect(trust).toEqual({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } });
      }
    }
  });

  it('no wildcard action anywhere; "*" as a resource only for ecr:GetAuthorizationToken, which has no resource', () => {
    const statements = resourcesOfType(s, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties!.PolicyDocument.Statement.map(normalizeStatement));
    for (const st of statements) {
      for (const action of st.actions) expect(action).not.toContain('*');
      if (st.resources.includes('*')) expect(st.actions).toEqual(['ecr:GetAuthorizationToken']);
    }
  });
});
