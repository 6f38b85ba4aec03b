// Least-privilege statements for each task role, named resource by resource (no wildcard where a resource can be
// named). Key patterns follow the sink layout in ./storage.
import { Stack, aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import { s3Source } from './settings';
import { DATASETS, MANIFESTS, QUARANTINE, RUN_REPORTS, TEST_PREFIX, type Sink } from './storage';

const dataPrefixes = DATASETS.map((d) => `${d}/*`);
const quarantinePrefixes = DATASETS.map((d) => `${QUARANTINE}${d}/*`);
/** `test_subset` writes the production layout again under the test prefix. */
const underTest = (patterns: string[]) => patterns.map((p) => `${TEST_PREFIX}${p}`);

/**
 * Scanner: list and read manifests, check a file event against the manifest it names (production and test prefix),
 * write run reports (production and test), remove orphans (manifest, data and the quarantine file beside it).
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
    new iam.PolicyStatement({
      sid: 'ReadManifests',
      actions: ['s3:GetObject'],
      resources: sink.objects(`${MANIFESTS}*`, `${TEST_PREFIX}${MANIFESTS}*`),
    }),
    new iam.PolicyStatement({
      sid: 'WriteRunReports',
      actions: ['s3:PutObject'],
      resources: sink.objects(`${RUN_REPORTS}*`, `${TEST_PREFIX}${RUN_REPORTS}*`),
    }),
    new iam.PolicyStatement({
      sid: 'RemoveOrphans',
      actions: ['s3:DeleteObject'],
      resources: sink.objects(...dataPrefixes, `${MANIFESTS}*`, ...quarantinePrefixes),
    }),
  ];
}

/**
 * Transformer: write outputs, quarantine files and manifests (multipart: aborted on failure), in production and under
 * the test prefix; read manifests (the idempotency check); delete a quarantine file an earlier manifest lists once a
 * run with QUARANTINE=false has replaced its output.
 * ListBucket is on the whole bucket on purpose: without it S3 answers a GET of a manifest that does not exist yet
 * (every new file) with 403 instead of 404, and the store rightly treats 403 as "access denied", failing the file.
 * It reveals key names, never contents; a prefix condition cannot narrow it (a GET carries no s3:prefix).
 */
export function transformerSinkStatements(sink: Sink): iam.PolicyStatement[] {
  const written = [...dataPrefixes, `${MANIFESTS}*`, ...quarantinePrefixes];
  return [
    new iam.PolicyStatement({ sid: 'MissingKeysAre404', actions: ['s3:ListBucket'], resources: [sink.bucket.bucketArn] }),
    new iam.PolicyStatement({
      sid: 'ReadManifests',
      actions: ['s3:GetObject'],
      resources: sink.objects(`${MANIFESTS}*`, `${TEST_PREFIX}${MANIFESTS}*`),
    }),
    new iam.PolicyStatement({
      sid: 'WriteOutputsQuarantineAndManifests',
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: sink.objects(...written, ...underTest(written)),
    }),
    new iam.PolicyStatement({
      sid: 'RemoveStaleQuarantine',
      actions: ['s3:DeleteObject'],
      resources: sink.objects(...quarantinePrefixes, ...underTest(quarantinePrefixes)),
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
 * The agent turns a PUT into UpdateTaskProtection (a GET would be GetTaskProtection) with the task role's credentials
 * (ECS developer guide, "Task scale-in protection endpoint"). The transformer only ever PUTs (set and release), so
 * only UpdateTaskProtection. Task ids are unknown in advance: scoped to the cluster.
 */
export function taskProtectionStatements(cluster: ecs.Cluster, stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'OwnTaskScaleInProtection',
      actions: ['ecs:UpdateTaskProtection'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` })],
    }),
  ];
}
