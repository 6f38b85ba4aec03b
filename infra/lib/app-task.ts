// A Fargate task definition running one sluice app from the shared image: `node dist/apps/<app>/src/main.js [args]`.
import { Duration, aws_ecr_assets as assets, aws_ecs as ecs, aws_iam as iam, IgnoreMode } from 'aws-cdk-lib';
import type { BusRole } from '@sluice/contracts';
import { Construct } from 'constructs';
import { serviceLogs, type ServiceLogs } from './logging';
import type { NatsEndpoint } from './messaging';

export type SluiceApp = 'scanner' | 'capacity-manager' | 'transformer' | 'cli';

/** Who each app is on the bus: the CLI task (the weekly run) is an operator. */
export const BUS_ROLE_OF: Record<SluiceApp, BusRole> = {
  scanner: 'scanner',
  'capacity-manager': 'capacity-manager',
  transformer: 'transformer',
  cli: 'operator',
};

/** The one image (the repository's Dockerfile); `.dockerignore` keeps node_modules, dist and .git out of the asset. */
export function sluiceImage(scope: Construct, repoRoot: string, architecture: ecs.CpuArchitecture): assets.DockerImageAsset {
  return new assets.DockerImageAsset(scope, 'Image', {
    directory: repoRoot,
    ignoreMode: IgnoreMode.DOCKER,
    platform: architecture === ecs.CpuArchitecture.ARM64 ? assets.Platform.LINUX_ARM64 : assets.Platform.LINUX_AMD64,
  });
}

export function appCommand(app: SluiceApp, args: string[] = []): string[] {
  return ['node', `dist/apps/${app}/src/main.js`, ...args];
}

/** Every service serves /health on HTTP_PORT (200 once connected to NATS with its streams); the image has no curl. */
export const HTTP_PORT = 8080;
const HEALTH_PROBE = `fetch('http://127.0.0.1:${HTTP_PORT}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;

export interface AppTaskProps {
  app: SluiceApp;
  args?: string[];
  image: assets.DockerImageAsset;
  nats: NatsEndpoint;
  environment: Record<string, string>;
  cpu: number;
  memoryLimitMiB: number;
  runtimePlatform: ecs.RuntimePlatform;
  logRetentionDays: number;
  /** Long-running services are health-checked; the one-shot CLI is not. */
  healthCheck: boolean;
  stopTimeout?: Duration;
  description: string;
}

export class AppTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly taskRole: iam.Role;
  readonly logs: ServiceLogs;

  constructor(scope: Construct, id: string, props: AppTaskProps) {
    super(scope, id);
    // An explicit role with no policy: each service adds exactly what it calls.
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: props.description,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      runtimePlatform: props.runtimePlatform,
      taskRole: this.taskRole,
    });
    this.logs = serviceLogs(this, props.app, props.logRetentionDays);
    this.container = this.taskDefinition.addContainer(props.app, {
      image: ecs.ContainerImage.fromDockerImageAsset(props.image),
      command: appCommand(props.app, props.args),
      environment: { NATS_URL: props.nats.url, LOG_FORMAT: 'json', ...props.environment },
      // Only this role's NATS credentials: the execution role is granted exactly these secrets.
      secrets: props.nats.secretsFor(BUS_ROLE_OF[props.app]),
      logging: this.logs.driver,
      stopTimeout: props.stopTimeout,
      // tini as PID 1: signals reach node, and exited children are reaped.
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      healthCheck: props.healthCheck
        ? {
            command: ['CMD', 'node', '-e', HEALTH_PROBE],
            interval: Duration.seconds(30),
            timeout: Duration.seconds(5),
            retries: 3,
            startPeriod: Duration.seconds(60),
          }
        : undefined,
    });
  }
}
