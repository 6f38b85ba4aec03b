// Least-privilege statements for each task role, named resource by resource (no wildcard where a resource can be
// named). Key patterns follow the sink layout in ./storage.
import { Stack, aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import { s3Source } from './settings';
import { DATASETS, MANIFESTS, RUN_REPORTS, TEST_PREFIX, type Sink } from './storage';

const dataPrefixes = DATASETS.map((d) => `${d}/*`);

/**
 * Scanner: list and read manifests, write run reports (production and test), remove orphans (data and manifest).
 * It lists manifests only, so its ListBucket is limited to that prefix.
 */
export function scannerSinkStatements(sink: Sink): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ListManifests',
      actions: ['s3:ListBucket'],
      resources: [sink.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${MANIFESTS}*`] } },
    }),
    new iam.PolicyStatement({ sid: 'ReadManifests', actions: ['s3:GetObject'], resources: sink.objects(`${MANIFESTS}*`) }),
    new iam.PolicyStatement({
      sid: 'WriteRunReports',
      actions: ['s3:PutObject'],
      resources: sink.objects(`${RUN_REPORTS}*`, `${TEST_PREFIX}${RUN_REPORTS}*`),
    }),
    new iam.PolicyStatement({
      sid: 'RemoveOrphans',
      actions: ['s3:DeleteObject'],
      resources: sink.objects(...dataPrefixes, `${MANIFESTS}*`),
    }),
  ];
}

/**
 * Transformer: write outputs and manifests (multipart), read manifests (the idempotency check).
 * ListBucket is on the whole bucket on purpose: without it S3 answers a GET of a manifest that does not exist yet
 * (every new file) with 403 instead of 404, and the store rightly treats 403 as "access denied", failing the file.
 * It reveals key names, never contents.
 */
export function transformerSinkStatements(sink: Sink): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'MissingKeysAre404', actions: ['s3:ListBucket'], resources: [sink.bucket.bucketArn] }),
    new iam.PolicyStatement({
      sid: 'ReadManifests',
      actions: ['s3:GetObject'],
      resources: sink.objects(`${MANIFESTS}*`, `${TEST_PREFIX}${MANIFESTS}*`),
    }),
    new iam.PolicyStatement({
      sid: 'WriteOutputsAndManifests',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: sink.objects(...dataPrefixes, `${MANIFESTS}*`, `${TEST_PREFIX}*`),
    }),
  ];
}

/** An s3:// source: the scanner lists it (under its prefix), the transformer reads its objects. HTTPS needs nothing. */
export function sourceStatements(sourceUrl: string, stack: Stack): { scanner: iam.PolicyStatement[]; transformer: iam.PolicyStatement[] } {
  const source = s3Source(sourceUrl);
  if (!source) return { scanner: [], transformer: [] };
  const bucketArn = stack.formatArn({ service: 's3', region: '', account: '', resource: source.bucket });
  const list = new iam.PolicyStatement({ sid: 'ListSource', actions: ['s3:ListBucket'], resources: [bucketArn] });
  if (source.prefix) list.addCondition('StringLike', { 's3:prefix': [`${source.prefix}*`] });
  return {
    scanner: [list],
    transformer: [new iam.PolicyStatement({ sid: 'ReadSource', actions: ['s3:GetObject'], resources: [`${bucketArn}/${source.prefix}*`] })],
  };
}

/** Capacity manager: read and set the transformer service's desiredCount, nothing else. */
export function capacityStatements(transformers: ecs.FargateService): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'OwnTransformerDesiredCount',
      actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
      resources: [transformers.serviceArn],
    }),
  ];
}

/**
 * Transformer: task scale-in protection through the ECS agent endpoint ($ECS_AGENT_URI/task-protection/v1/state).
 * The agent calls UpdateTaskProtection/GetTaskProtection with the task role's credentials, so the role needs them
 * (ECS developer guide, "Task scale-in protection endpoint"). Task ids are unknown in advance: scoped to the cluster.
 */
export function taskProtectionStatements(cluster: ecs.Cluster, stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'OwnTaskScaleInProtection',
      actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` })],
    }),
  ];
}
