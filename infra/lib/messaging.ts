// NATS with JetStream: either a one-task Fargate service of this stack (store on EFS, found through Cloud Map, one
// nkey user per role), or an external server. Credentials come from Secrets Manager as container secrets, never as
// plain environment; with nkeys each task gets only its own role's seed.
import { Duration, RemovalPolicy, aws_ec2 as ec2, aws_ecs as ecs, aws_efs as efs, aws_iam as iam, aws_secretsmanager as sm } from 'aws-cdk-lib';
import { aws_servicediscovery as discovery } from 'aws-cdk-lib';
import type { BusRole } from '@sluice/contracts';
import { renderBusAuthorization } from '@sluice/messaging';
import { Construct } from 'constructs';
import { serviceLogs, type ServiceLogs } from './logging';
import type { Network } from './network';

/** What a sluice container needs to reach NATS. */
export interface NatsEndpoint {
  url: string;
  /** The container secrets a task of this bus role connects with: its own nkey seed, or the shared credentials. */
  secretsFor(role: BusRole): Record<string, ecs.Secret>;
}

/**
 * One Secrets Manager secret per role, `<prefix><role>`, holding that role's nkey seed (the `SU…` line `sluice
 * bus-auth init` writes). Referenced by name, so the seeds never pass through the template; each task definition's
 * execution role is granted exactly the secret of its own role.
 */
export class NkeySeedSecrets extends Construct {
  private readonly secrets = new Map<BusRole, sm.ISecret>();

  constructor(
    scope: Construct,
    id: string,
    private readonly prefix: string,
  ) {
    super(scope, id);
  }

  secretsFor(role: BusRole): Record<string, ecs.Secret> {
    let secret = this.secrets.get(role);
    if (!secret) {
      secret = sm.Secret.fromSecretNameV2(this, role, `${this.prefix}${role}`);
      this.secrets.set(role, secret);
    }
    return { NATS_NKEY_SEED: ecs.Secret.fromSecretsManager(secret) };
  }
}

export const NATS_PORT = 4222;
const STORE_DIR = '/data';
const CONFIG_FILE = '/tmp/sluice-nats.conf';

export interface NatsServiceProps {
  /** Each role's public nkey: the server's authorization is rendered from them (public keys only, not secrets). */
  publicKeys: Record<BusRole, string>;
  /** Where each role's seed is: `<prefix><role>` in Secrets Manager. */
  seedSecretPrefix: string;
  network: Network;
  cluster: ecs.Cluster;
  image: string;
  runtimePlatform: ecs.RuntimePlatform;
  logRetentionDays: number;
}

/**
 * The stack's own NATS: reachable only from the sluice security group, JetStream state kept across restarts on EFS,
 * and one nkey user per role with its permissions (libs/contracts/src/bus-permissions.ts); no anonymous user.
 */
export class NatsService extends Construct implements NatsEndpoint {
  readonly url: string;
  readonly service: ecs.FargateService;
  /** The nats-server authorization block the container writes to its config file at start. */
  readonly authorization: string;
  private readonly seeds: NkeySeedSecrets;
  readonly fileSystem: efs.FileSystem;
  readonly securityGroup: ec2.SecurityGroup;
  readonly taskRole: iam.Role;
  readonly logs: ServiceLogs;

  constructor(scope: Construct, id: string, props: NatsServiceProps) {
    super(scope, id);
    const { network, cluster } = props;
    const vpc = network.vpc;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc, description: 'NATS: client port from the sluice services only' });
    this.securityGroup.addIngressRule(network.appSecurityGroup, ec2.Port.tcp(NATS_PORT), 'NATS clients (sluice services)');
    const storeSecurityGroup = new ec2.SecurityGroup(this, 'StoreSecurityGroup', { vpc, description: 'JetStream store (EFS): NFS from NATS only' });
    storeSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(2049), 'NFS from the NATS task');

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'NATS: mount and write its JetStream directory (access point) and nothing else',
    });
    this.fileSystem = new efs.FileSystem(this, 'JetStreamStore', {
      vpc,
      vpcSubnets: network.subnets,
      securityGroup: storeSecurityGroup,
      encrypted: true,
      // Only the NATS task role, over TLS through a mount target: no anonymous (non-IAM) NFS client, no root access.
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            principals: [this.taskRole],
            actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            conditions: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true', 'aws:SecureTransport': 'true' } },
          }),
        ],
      }),
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.BURSTING,
      // Streams and run records survive `cdk destroy` like the sink; delete the file system by hand if unwanted.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessPoint = this.fileSystem.addAccessPoint('JetStreamDir', {
      path: '/jetstream',
      createAcl: { ownerUid: '1000', ownerGid: '1000', permissions: '750' },
      posixUser: { uid: '1000', gid: '1000' },
    });

    this.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        resources: [this.fileSystem.fileSystemArn],
        conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn } },
      }),
    );
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: props.runtimePlatform,
      taskRole: this.taskRole,
      volumes: [
        {
          name: 'jetstream',
          efsVolumeConfiguration: {
            fileSystemId: this.fileSystem.fileSystemId,
            transitEncryption: 'ENABLED',
            authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
          },
        },
      ],
    });
    this.logs = serviceLogs(this, 'nats', props.logRetentionDays);
    this.authorization = renderBusAuthorization(props.publicKeys);
    this.seeds = new NkeySeedSecrets(this, 'Seeds', props.seedSecretPrefix);
    const container = taskDefinition.addContainer('nats', {
      image: ecs.ContainerImage.fromRegistry(props.image),
      // The image has no config of ours: the authorization (public keys only) comes as text and is written at start.
      entryPoint: ['/bin/sh', '-c'],
      command: [
        `printf '%s' "$NATS_AUTHORIZATION" > ${CONFIG_FILE} && exec nats-server --config ${CONFIG_FILE} --jetstream --store_dir ${STORE_DIR} --http_port 8222 --server_name sluice-nats`,
      ],
      // Go sizes its heap from the host's memory, not the task's: keep it inside 512 MiB.
      environment: { GOMEMLIMIT: '400MiB', NATS_AUTHORIZATION: this.authorization },
      portMappings: [{ containerPort: NATS_PORT }],
      logging: this.logs.driver,
      healthCheck: {
        command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8222/healthz || exit 1'],
        interval: Duration.seconds(30),
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: Duration.seconds(30),
    });
    container.addMountPoints({ containerPath: STORE_DIR, sourceVolume: 'jetstream', readOnly: false });

    const namespace = new discovery.PrivateDnsNamespace(this, 'Namespace', { name: 'sluice.internal', vpc });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 1,
      assignPublicIp: true, // to pull the image without a NAT gateway; inbound stays closed
      vpcSubnets: network.subnets,
      securityGroups: [this.securityGroup],
      // One server owns the store: stop the old task before the new one starts.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      cloudMapOptions: { name: 'nats', cloudMapNamespace: namespace, dnsRecordType: discovery.DnsRecordType.A, dnsTtl: Duration.seconds(10) },
    });
    this.url = `nats://nats.sluice.internal:${NATS_PORT}`;
  }

  secretsFor(role: BusRole): Record<string, ecs.Secret> {
    return this.seeds.secretsFor(role);
  }
}

export interface ExternalNatsProps {
  url: string;
  secretArn?: string;
  auth: 'user-password' | 'token' | 'nkey';
  /** With auth=nkey: each role's seed is the secret `<prefix><role>`. */
  seedSecretPrefix: string;
}

/**
 * A NATS you run: its URL, and either one nkey seed per role (configure the server with the authorization `sluice
 * bus-auth init` writes) or shared credentials from a Secrets Manager JSON secret.
 */
export class ExternalNats extends Construct implements NatsEndpoint {
  readonly url: string;
  private readonly shared: Record<string, ecs.Secret> = {};
  private readonly seeds?: NkeySeedSecrets;

  constructor(scope: Construct, id: string, props: ExternalNatsProps) {
    super(scope, id);
    this.url = props.url;
    if (props.auth === 'nkey') {
      this.seeds = new NkeySeedSecrets(this, 'Seeds', props.seedSecretPrefix);
      return;
    }
    if (!props.secretArn) return;
    const secret = sm.Secret.fromSecretCompleteArn(this, 'Credentials', props.secretArn);
    if (props.auth === 'token') {
      this.shared.NATS_TOKEN = ecs.Secret.fromSecretsManager(secret, 'token');
    } else {
      this.shared.NATS_USER = ecs.Secret.fromSecretsManager(secret, 'user');
      this.shared.NATS_PASSWORD = ecs.Secret.fromSecretsManager(secret, 'password');
    }
  }

  secretsFor(role: BusRole): Record<string, ecs.Secret> {
    return this.seeds ? this.seeds.secretsFor(role) : this.shared;
  }
}
