// Judges recorded AWS calls against a role's policies with a real IAM policy evaluator (@cloud-copilot/iam-simulate):
// identity policy of the role, plus the resource's own policy where the deployment has one (the sink bucket's).
// A check the evaluator cannot even run (an ARN of the wrong type for the action, a malformed policy) is an error,
// never a pass.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AwsCall, IamCheck } from './aws-call-recorder';
import type { PolicyDocument } from './deployed-policies';

export interface RolePolicies {
  /** The role's identity policy (every statement attached to it). */
  identity: PolicyDocument;
  /** The resource policy of the resource a check is on, if it has one. */
  resourcePolicyFor?: (resourceArn: string) => PolicyDocument | undefined;
}

export interface Denial {
  service: string;
  operation: string;
  request: string;
  action: string;
  resource: string;
  note?: string;
  result: string;
}

export interface IamEvaluatorOptions {
  account: string;
  /** The role each service runs as (by service name). */
  roles: Record<string, RolePolicies>;
  /**
   * Request context every call carries. The services reach AWS over HTTPS only (the SDK's default), so
   * `aws:SecureTransport` is `true` even though the test's loopback servers speak plain HTTP.
   */
  globalContext?: Record<string, string>;
}

export class IamEvaluator {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly options: IamEvaluatorOptions) {}

  /** The checks of this call that the service's role does not allow (empty: allowed). */
  async denials(call: AwsCall): Promise<Denial[]> {
    const role = this.options.roles[call.service];
    if (!role) throw new Error(`no role for service ${call.service}`);
    const denials: Denial[] = [];
    for (const check of call.checks) {
      const result = await this.decide(call.service, role, check);
      if (result !== 'Allowed') {
        denials.push({ service: call.service, operation: call.operation, request: call.request, action: check.action, resource: check.resource, note: check.note, result });
      }
    }
    return denials;
  }

  /** 'Allowed', 'ImplicitlyDenied' or 'ExplicitlyDenied' for one check of this service's role. */
  decide(service: string, role: RolePolicies, check: IamCheck): Promise<string> {
    const key = JSON.stringify([service, check.action, check.resource, check.context]);
    let decision = this.cache.get(key);
    if (!decision) {
      decision = this.simulate(service, role, check);
      this.cache.set(key, decision);
    }
    return decision;
  }

  private async simulate(service: string, role: RolePolicies, check: IamCheck): Promise<string> {
    const resourcePolicy = role.resourcePolicyFor?.(check.resource);
    const answer = await runSimulation(
      {
        request: {
          principal: `arn:aws:iam::${this.options.account}:role/sluice-${service}`,
          action: check.action,
          resource: { resource: check.resource, accountId: this.options.account },
          contextVariables: { ...this.options.globalContext, ...check.context },
        },
        // A role with no statement at all has no identity policy (an empty document is not a valid policy).
        identityPolicies: role.identity.Statement.length > 0 ? [{ name: `sluice-${service}`, policy: role.identity }] : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    if (answer.resultType === 'error') {
      throw new Error(`IAM simulation of ${check.action} on ${check.resource} for ${service} could not run: ${JSON.stringify(answer.errors)}`);
    }
    return answer.overallResult;
  }
}

/** One line per denial: service, action, resource, and the request that needed it. */
export function formatDenials(denials: readonly Denial[]): string {
  return denials
    .map((d) => `${d.service}: ${d.action} on ${d.resource} ${d.result}${d.note ? ` (${d.note})` : ''} — ${d.operation}: ${d.request}`)
    .join('\n');
}
