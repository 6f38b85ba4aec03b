// The IAM policies the CDK app gives each sluice role, as deployed: synthesized in process (infra/test/synth-support)
// with the test's source URL as context, and every CloudFormation token replaced by the concrete name the test
// uses (sink bucket, cluster, transformer service, partition, region, account). A token this does not know fails.
import { synth, type Synth } from '../../infra/test/synth-support';

export interface PolicyDocument {
  Version: string;
  Statement: Array<Record<string, unknown>>;
}

/** The names a deployment resolves its tokens to. */
export interface Deployment {
  partition: string;
  region: string;
  account: string;
  sinkBucket: string;
  /** The `sourceUrl` context (and SOURCE_URL of the services), e.g. `s3://tlc-source/trip data/`. */
  sourceUrl: string;
  cluster: string;
  transformerService: string;
}

export type SluiceRole = 'scanner' | 'transformer' | 'capacity-manager' | 'cli';

export interface DeployedPolicies {
  /** Every statement attached to each task role, one document per role. */
  roles: Record<SluiceRole, PolicyDocument>;
  /** The sink bucket's own policy (TLS only). */
  sinkBucketPolicy: PolicyDocument;
  sinkBucketArn: string;
}

export function deployedPolicies(d: Deployment): DeployedPolicies {
  const s = synth({ sourceUrl: d.sourceUrl });
  try {
    const { workers, weeklyRun, sink, cluster } = s.stack;
    const ids = { bucket: s.id(sink.bucket), cluster: s.id(cluster), service: s.id(workers.transformerService) };
    const arn = (service: string, resource: string) => `arn:${d.partition}:${service}:${d.region}:${d.account}:${resource}`;
    const refs: Record<string, string> = {
      'AWS::Partition': d.partition,
      'AWS::Region': d.region,
      'AWS::AccountId': d.account,
      'AWS::URLSuffix': 'amazonaws.com',
      [ids.bucket]: d.sinkBucket,
      [ids.cluster]: d.cluster,
      // Ref of an AWS::ECS::Service is its ARN
      [ids.service]: arn('ecs', `service/${d.cluster}/${d.transformerService}`),
    };
    const attributes: Record<string, string> = {
      [`${ids.bucket}.Arn`]: `arn:${d.partition}:s3:::${d.sinkBucket}`,
      [`${ids.cluster}.Arn`]: arn('ecs', `cluster/${d.cluster}`),
      [`${ids.service}.Name`]: d.transformerService,
    };
    const resolve = (v: unknown): unknown => resolveIntrinsics(v, refs, attributes);
    const roleDocument = (roleId: string): PolicyDocument => ({
      Version: '2012-10-17',
      Statement: policiesOfRole(s, roleId).flatMap((p) => asArray(p.PolicyDocument.Statement)).map((st) => resolve(st) as Record<string, unknown>),
    });
    const bucketPolicies = Object.values(s.json.Resources).filter(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && (r.Properties!.Bucket as { Ref?: string }).Ref === ids.bucket,
    );
    if (bucketPolicies.length !== 1) throw new Error(`expected one policy on the sink bucket, found ${bucketPolicies.length}`);
    return {
      roles: {
        scanner: roleDocument(s.id(workers.scanner.taskRole)),
        transformer: roleDocument(s.id(workers.transformer.taskRole)),
        'capacity-manager': roleDocument(s.id(workers.capacityManager.taskRole)),
        cli: roleDocument(s.id(weeklyRun.cli.taskRole)),
      },
      sinkBucketPolicy: resolve(bucketPolicies[0].Properties!.PolicyDocument) as PolicyDocument,
      sinkBucketArn: attributes[`${ids.bucket}.Arn`],
    };
  } finally {
    s.cleanup();
  }
}

function policiesOfRole(s: Synth, roleId: string): Array<{ PolicyDocument: { Statement: unknown } }> {
  return Object.values(s.json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && asArray(r.Properties!.Roles).some((ref: { Ref?: string }) => ref.Ref === roleId))
    .map((r) => r.Properties as { PolicyDocument: { Statement: unknown } });
}

/** Ref, Fn::GetAtt and Fn::Join replaced by concrete strings; any other intrinsic or unknown name throws. */
export function resolveIntrinsics(value: unknown, refs: Record<string, string>, attributes: Record<string, string>): unknown {
  const go = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(go);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'Ref') {
      const name = String(o.Ref);
      if (!(name in refs)) throw new Error(`no concrete value for {Ref: ${name}} in a policy`);
      return refs[name];
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const name = (o['Fn::GetAtt'] as string[]).join('.');
      if (!(name in attributes)) throw new Error(`no concrete value for {Fn::GetAtt: ${name}} in a policy`);
      return attributes[name];
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => {
        const resolved = go(p);
        if (typeof resolved !== 'string') throw new Error(`Fn::Join part is not a string: ${JSON.stringify(p)}`);
        return resolved;
      }).join(separator);
    }
    if (keys.length === 1 && keys[0].startsWith('Fn::')) throw new Error(`unsupported intrinsic ${keys[0]} in a policy`);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, go(x)]));
  };
  return go(value);
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Each role as the evaluator wants it: its identity policy, and the sink bucket's policy for sink resources. */
export function rolePolicies(deployed: DeployedPolicies): Record<SluiceRole, { identity: PolicyDocument; resourcePolicyFor: (arn: string) => PolicyDocument | undefined }> {
  const onSink = (arn: string) => arn === deployed.sinkBucketArn || arn.startsWith(`${deployed.sinkBucketArn}/`);
  const resourcePolicyFor = (arn: string) => (onSink(arn) ? deployed.sinkBucketPolicy : undefined);
  const entries = Object.entries(deployed.roles).map(([role, identity]) => [role, { identity, resourcePolicyFor }]);
  return Object.fromEntries(entries) as ReturnType<typeof rolePolicies>;
}
