// Workers as the tasks of an ECS service: the manager owns its desiredCount. ECS itself never stops a task that
// holds scale-in protection (the transformer holds it while it works), so a scale-in cannot lose a file.
import {
  DescribeServicesCommand,
  ECSClient,
  UpdateServiceCommand,
  type ECSClientConfig,
} from '@aws-sdk/client-ecs';
import { PermanentError, TransientError } from '@sluice/contracts';
import type { Logger } from '@sluice/observability';
import type { CapacityBackend, ScaleResult, WorkerCounts } from './backend';

export interface EcsBackendOptions {
  cluster: string;
  service: string;
  logger: Logger;
  /** After a change, scale-ins wait this long (scale-ups that add capacity never wait). */
  cooldownMs: number;
  client?: ECSClient;
  clientConfig?: ECSClientConfig;
  now?: () => number;
}

/** Errors retrying cannot fix: reported once, clearly, and the manager keeps running. */
const PERMANENT_CODES = new Set([
  'AccessDeniedException',
  'ClientException',
  'ClusterNotFoundException',
  'InvalidParameterException',
  'ServiceNotActiveException',
  'ServiceNotFoundException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);

export function classifyEcsError(error: unknown, action: string): PermanentError | TransientError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e?.name ?? 'Error';
  const message = `ECS ${action} failed: ${code}: ${e?.message ?? String(error)}`;
  if (PERMANENT_CODES.has(code)) return new PermanentError(`ecs_${code}`, message, { cause: error });
  return new TransientError(`ecs_${code}`, message, { cause: error });
}

export class EcsBackend implements CapacityBackend {
  readonly name = 'ecs';
  private readonly client: ECSClient;
  private lastChangeAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(private readonly options: EcsBackendOptions) {
    // The SDK retries throttling and 5xx itself, with backoff (standard retry mode).
    this.client = options.client ?? new ECSClient({ maxAttempts: 5, ...options.clientConfig });
    this.now = options.now ?? Date.now;
  }

  async observe(): Promise<WorkerCounts> {
    let answer;
    try {
      answer = await this.client.send(new DescribeServicesCommand({ cluster: this.options.cluster, services: [this.options.service] }));
    } catch (error) {
      throw classifyEcsError(error, 'DescribeServices');
    }
    const service = answer.services?.[0];
    if (!service) {
      const reason = answer.failures?.[0]?.reason ?? 'no such service';
      throw new PermanentError('ecs_service_not_found', `ECS service ${this.options.service} in cluster ${this.options.cluster}: ${reason}`);
    }
    return { desired: service.desiredCount ?? 0, running: service.runningCount ?? 0, pending: service.pendingCount ?? 0 };
  }

  async scaleTo(count: number, reason: string): Promise<ScaleResult> {
    const current = await this.observe();
    if (count === current.desired) return 'unchanged'; // ECS itself replaces tasks that stopped
    const sinceChange = this.now() - this.lastChangeAt;
    if (count < current.desired && sinceChange < this.options.cooldownMs) {
      this.options.logger.debug({ from: current.desired, to: count, waitMs: this.options.cooldownMs - sinceChange }, 'scale-in held back by the cooldown');
      return 'deferred';
    }
    try {
      await this.client.send(new UpdateServiceCommand({ cluster: this.options.cluster, service: this.options.service, desiredCount: count }));
    } catch (error) {
      throw classifyEcsError(error, 'UpdateService');
    }
    this.lastChangeAt = this.now();
    this.options.logger.info({ from: current.desired, to: count, reason }, 'ECS desiredCount updated');
    return 'changed';
  }

  async shutdown(): Promise<void> {
    // The service outlives the manager: its tasks finish their files and the next manager takes over.
    this.client.destroy();
  }
}
