// What the transformer tasks of a run cost on Fargate, on-demand and on Spot.
import { settingsSchema } from '../../infra/lib/settings';

/**
 * us-east-1, Linux/x86, on-demand, per hour: the list prices of aws.amazon.com/fargate/pricing as infra/README.md
 * quotes them (2025) and as a copy of that page verified in June 2026 still gives them (fortem.dev/fargate-spot, which
 * rounds the GB price to $0.004446). Taken on 2026-11-30 from those copies; this machine cannot reach the page itself.
 */
export const ON_DEMAND = { perVcpuHour: 0.04048, perGbHour: 0.004445 } as const;

/**
 * Fargate Spot has no fixed price: AWS sets it by supply and demand, "up to 70 % off" on-demand (the pricing page's
 * Spot table). Assumed here at the 70 % ceiling: $0.012144 per vCPU-hour and $0.0013335 per GB-hour. At 50 % off
 * (the low end quoted for 2026) every Spot figure below is 5/3 as high.
 */
export const SPOT_DISCOUNT = 0.7;

/** Fargate bills per second from the image download to the task's end, with a one-minute minimum. */
export const MINIMUM_BILLED_SECONDS = 60;

/** The transformer task size the CDK stack deploys by default (infra/lib/settings.ts: transformerCpu, transformerMemoryMiB). */
export function transformerTaskSize(): { vcpu: number; memoryGb: number } {
  const defaults = settingsSchema.parse({});
  return { vcpu: defaults.transformerCpu / 1024, memoryGb: defaults.transformerMemoryMiB / 1024 };
}

/** The stack's default capacity provider strategy for transformers (infra/lib/settings.ts: transformerCapacity). */
export function transformerCapacity(): { spotWeight: number; onDemandWeight: number; onDemandBase: number } {
  return settingsSchema.parse({}).transformerCapacity;
}

export interface FleetCost {
  vcpu: number;
  memoryGb: number;
  billedTaskSeconds: number;
  onDemandUsd: number;
  spotUsd: number;
  /**
   * With the stack's default strategy: the first `onDemandBase` tasks on-demand, the others shared by the weights
   * (ECS places the base first; which later task lands where is its choice, so the rest is costed at the weights' mix).
   */
  stackDefaultUsd: number;
}

/** `taskSeconds`: each task's life, from its start (image download included) to its end, in the order they were asked for. */
export function fleetCost(taskSeconds: number[]): FleetCost {
  const { vcpu, memoryGb } = transformerTaskSize();
  const billed = taskSeconds.map((s) => Math.max(MINIMUM_BILLED_SECONDS, Math.ceil(s)));
  const billedTaskSeconds = billed.reduce((a, b) => a + b, 0);
  const perSecond = (vcpu * ON_DEMAND.perVcpuHour + memoryGb * ON_DEMAND.perGbHour) / 3600;
  const spotPerSecond = perSecond * (1 - SPOT_DISCOUNT);
  const { spotWeight, onDemandWeight, onDemandBase } = transformerCapacity();
  const spotShare = spotWeight / (spotWeight + onDemandWeight);
  const mixPerSecond = spotShare * spotPerSecond + (1 - spotShare) * perSecond;
  const stackDefaultUsd = billed.reduce((sum, s, i) => sum + s * (i < onDemandBase ? perSecond : mixPerSecond), 0);
  return { vcpu, memoryGb, billedTaskSeconds, onDemandUsd: billedTaskSeconds * perSecond, spotUsd: billedTaskSeconds * spotPerSecond, stackDefaultUsd };
}
