// The IAM test's instruments, checked on their own: the request mapping on what the AWS SDK really sends (through the
// recording proxy to s3rver), and the evaluator on the synthesized policies — it must deny what a role does not
// allow, or the scenario test could never fail.
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client } from '@sluice/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapRequests, type ArnContext, type AwsCall } from './aws-call-recorder';
import { deployedPolicies, rolePolicies, type Deployment } from './deployed-policies';
import { IamEvaluator } from './iam-evaluator';
import { startS3FaultProxy, type RecordedRequest, type S3FaultProxy } from './s3-fault-proxy';
import { startTestS3, type TestS3 } from './servers';

const DEPLOYMENT: Deployment = {
  partition: 'aws',
  region: 'us-east-1',
  account: '123456789012',
  sinkBucket: 'sluice-sink',
  sourceUrl: 's3://tlc-source/trip data/',
  cluster: 'sluice',
  transformerService: 'transformer',
};
const ARNS: ArnContext = { partition: 'aws', region: 'us-east-1', account: '123456789012', cluster: 'sluice' };
const SINK = 'arn:aws:s3:::sluice-sink';

describe('request mapping, on what the AWS SDK sends', () => {
  let s3: TestS3;
  let proxy: S3FaultProxy;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startTestS3(['sluice-sink']);
    proxy = await startS3FaultProxy(s3.endpoint);
    client = createS3Client({ ...s3.connection, endpoint: proxy.endpoint });
  });
  afterAll(async () => {
    client?.destroy();
    await proxy?.stop();
    await s3?.stop();
  });

  /** What one SDK command was recorded and mapped as. */
  const callsOf = async (send: () => Promise<unknown>): Promise<{ calls: AwsCall[]; unmapped: string[] }> => {
    const from = proxy.recorded.length;
    await send().catch(() => undefined); // a 404 or an s3rver refusal is still a call that was made
    const mapped = mapRequests('t', 's3', proxy.recorded.slice(from), ARNS);
    return { calls: mapped.calls, unmapped: mapped.unmapped.map((u) => u.why) };
  };
  const checks = (calls: AwsCall[]) => calls.flatMap((c) => c.checks.map((k) => [c.operation, k.action, k.resource, k.context, ...(k.note ? ['note'] : [])]));

  it('object reads, writes and deletes', async () => {
    const put = await callsOf(() => client.send(new PutObjectCommand({ Bucket: 'sluice-sink', Key: 'fhvhv/a b.parquet', Body: 'x' })));
    expect(checks(put.calls)).toEqual([['S3 PutObject', 's3:PutObject', `${SINK}/fhvhv/a b.parquet`, {}]]);
    const get = await callsOf(() => client.send(new GetObjectCommand({ Bucket: 'sluice-sink', Key: 'fhvhv/a b.parquet', Range: 'bytes=0-0' })));
    expect(checks(get.calls)).toEqual([['S3 GetObject', 's3:GetObject', `${SINK}/fhvhv/a b.parquet`, {}]]);
    const head = await callsOf(() => client.send(new HeadObjectCommand({ Bucket: 'sluice-sink', Key: 'fhvhv/a b.parquet' })));
    expect(checks(head.calls)).toEqual([['S3 HeadObject', 's3:GetObject', `${SINK}/fhvhv/a b.parquet`, {}]]);
    const del = await callsOf(() => client.send(new DeleteObjectCommand({ Bucket: 'sluice-sink', Key: 'fhvhv/a b.parquet' })));
    expect(checks(del.calls)).toEqual([['S3 DeleteObject', 's3:DeleteObject', `${SINK}/fhvhv/a b.parquet`, {}]]);
  });

  it('a missing key: s3:GetObject, and s3:ListBucket for the answer to be 404 rather than 403', async () => {
    const missing = await callsOf(() => client.send(new GetObjectCommand({ Bucket: 'sluice-sink', Key: '_sluice/manifests/fhvhv/2024-01.json' })));
    expect(checks(missing.calls)).toEqual([
      ['S3 GetObject', 's3:GetObject', `${SINK}/_sluice/manifests/fhvhv/2024-01.json`, {}],
      ['S3 GetObject', 's3:ListBucket', SINK, {}, 'note'],
    ]);
  });

  it('ListObjectsV2 is s3:ListBucket on the bucket with the s3:prefix key', async () => {
    const list = await callsOf(() => client.send(new ListObjectsV2Command({ Bucket: 'sluice-sink', Prefix: '_sluice/manifests/', MaxKeys: 1000 })));
    expect(checks(list.calls)).toEqual([['S3 ListObjectsV2', 's3:ListBucket', SINK, { 's3:prefix': '_sluice/manifests/', 's3:max-keys': '1000' }]]);
  });

  it('DeleteObjects is s3:DeleteObject for each key; CopyObject reads the source and writes the target', async () => {
    const many = await callsOf(() =>
      client.send(new DeleteObjectsCommand({ Bucket: 'sluice-sink', Delete: { Objects: [{ Key: 'a&b' }, { Key: 'fhv/c' }] } })),
    );
    expect(checks(many.calls)).toEqual([
      ['S3 DeleteObjects', 's3:DeleteObject', `${SINK}/a&b`, {}],
      ['S3 DeleteObjects', 's3:DeleteObject', `${SINK}/fhv/c`, {}],
    ]);
    await client.send(new PutObjectCommand({ Bucket: 'sluice-sink', Key: 'from', Body: 'x' }));
    const copy = await callsOf(() => client.send(new CopyObjectCommand({ Bucket: 'sluice-sink', Key: 'to', CopySource: 'sluice-sink/from' })));
    expect(checks(copy.calls)).toEqual([
      ['S3 CopyObject', 's3:PutObject', `${SINK}/to`, {}],
      ['S3 CopyObject', 's3:GetObject', `${SINK}/from`, {}],
    ]);
  });

  it('a multipart upload: create, part, list parts, abort', async () => {
    const Key = '_quarantine/fhvhv/x.parquet';
    let uploadId = '';
    const created = await callsOf(async () => (uploadId = (await client.send(new CreateMultipartUploadCommand({ Bucket: 'sluice-sink', Key }))).UploadId!));
    const part = await callsOf(() => client.send(new UploadPartCommand({ Bucket: 'sluice-sink', Key, UploadId: uploadId, PartNumber: 1, Body: 'x' })));
    const parts = await callsOf(() => client.send(new ListPartsCommand({ Bucket: 'sluice-sink', Key, UploadId: uploadId })));
    const abort = await callsOf(() => client.send(new AbortMultipartUploadCommand({ Bucket: 'sluice-sink', Key, UploadId: uploadId })));
    const arn = `${SINK}/${Key}`;
    expect([...checks(created.calls), ...checks(part.calls), ...checks(parts.calls), ...checks(abort.calls)]).toEqual([
      ['S3 CreateMultipartUpload', 's3:PutObject', arn, {}],
      ['S3 UploadPart', 's3:PutObject', arn, {}],
      ['S3 ListParts', 's3:ListMultipartUploadParts', arn, {}],
      ['S3 AbortMultipartUpload', 's3:AbortMultipartUpload', arn, {}],
    ]);
  });

  it('a request it does not know is reported as unmapped, never skipped', async () => {
    const tagging = await callsOf(() => client.send(new GetObjectTaggingCommand({ Bucket: 'sluice-sink', Key: 'from' })));
    expect(tagging.calls).toEqual([]);
    expect(tagging.unmapped).toEqual([expect.stringMatching(/unknown object-level S3 request \(GET with tagging\)/)]);
    const req = (r: Partial<RecordedRequest>): RecordedRequest => ({ method: 'POST', url: '/', headers: {}, body: '', status: 200, ...r });
    const ecs = mapRequests('c', 'ecs-api', [req({ headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListTasks' }, body: '{}' })], ARNS);
    expect(ecs.unmapped.map((u) => u.why)).toEqual(['ECS ListTasks has no mapping']);
    const agent = mapRequests('t', 'ecs-agent', [req({ method: 'DELETE', url: '/agent/abc/task-protection/v1/state' })], ARNS);
    expect(agent.unmapped.map((u) => u.why)).toEqual(['task-protection DELETE has no mapping']);
  });

  it('ECS API and agent requests: the operation on the service or task ARN', () => {
    const req = (r: Partial<RecordedRequest>): RecordedRequest => ({ method: 'POST', url: '/', headers: {}, body: '', status: 200, ...r });
    const target = (op: string) => ({ 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${op}` });
    const api = mapRequests('c', 'ecs-api', [
      req({ headers: target('DescribeServices'), body: JSON.stringify({ cluster: 'sluice', services: ['transformer'] }) }),
      req({ headers: target('UpdateService'), body: JSON.stringify({ cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/sluice', service: 'transformer', desiredCount: 2 }) }),
    ], ARNS);
    const service = 'arn:aws:ecs:us-east-1:123456789012:service/sluice/transformer';
    expect(checks(api.calls).map((c) => c.slice(0, 3))).toEqual([
      ['ECS DescribeServices', 'ecs:DescribeServices', service],
      ['ECS UpdateService', 'ecs:UpdateService', service],
    ]);
    const agent = mapRequests('t', 'ecs-agent', [req({ method: 'PUT', url: '/agent/ab12/task-protection/v1/state' }), req({ method: 'GET', url: '/agent/ab12/task-protection/v1/state' })], ARNS);
    const task = 'arn:aws:ecs:us-east-1:123456789012:task/sluice/ab12';
    expect(checks(agent.calls).map((c) => c.slice(0, 3))).toEqual([
      ['ECS UpdateTaskProtection', 'ecs:UpdateTaskProtection', task],
      ['ECS GetTaskProtection', 'ecs:GetTaskProtection', task],
    ]);
  });
});

describe('the evaluator on the synthesized policies', () => {
  let deployed: ReturnType<typeof deployedPolicies>;
  let evaluator: IamEvaluator;
  beforeAll(() => {
    deployed = deployedPolicies(DEPLOYMENT);
    evaluator = new IamEvaluator({ account: ARNS.account, roles: rolePolicies(deployed), globalContext: { 'aws:SecureTransport': 'true' } });
  });
  const decide = (service: string, action: string, resource: string, context: Record<string, string> = {}) =>
    evaluator.decide(service, rolePolicies(deployed)[service as 'scanner'], { action, resource, context });

  it('denies what a role does not allow, and allows what it does', async () => {
    expect(await decide('transformer', 's3:PutObject', `${SINK}/_sluice/manifests/fhvhv/2024-01.json`)).toBe('Allowed');
    expect(await decide('transformer', 's3:DeleteObject', `${SINK}/_sluice/manifests/fhvhv/2024-01.json`)).toBe('ImplicitlyDenied');
    expect(await decide('transformer', 's3:PutObject', `${SINK}/_sluice/runs/r.json`)).toBe('ImplicitlyDenied');
    expect(await decide('transformer', 's3:GetObject', 'arn:aws:s3:::tlc-source/trip data/fhvhv_tripdata_2024-01.parquet')).toBe('Allowed');
    expect(await decide('transformer', 's3:GetObject', 'arn:aws:s3:::tlc-source/elsewhere/fhvhv_tripdata_2024-01.parquet')).toBe('ImplicitlyDenied');
    expect(await decide('capacity-manager', 'ecs:UpdateService', 'arn:aws:ecs:us-east-1:123456789012:service/sluice/other')).toBe('ImplicitlyDenied');
    expect(await decide('cli', 's3:GetObject', `${SINK}/_sluice/manifests/fhvhv/2024-01.json`)).toBe('ImplicitlyDenied');
  });

  it('evaluates condition keys: the scanner lists the sink under the manifest prefix only', async () => {
    expect(await decide('scanner', 's3:ListBucket', SINK, { 's3:prefix': '_sluice/manifests/' })).toBe('Allowed');
    expect(await decide('scanner', 's3:ListBucket', SINK, { 's3:prefix': '_sluice/' })).toBe('ImplicitlyDenied');
    expect(await decide('scanner', 's3:ListBucket', SINK)).toBe('ImplicitlyDenied');
  });

  it("evaluates the sink bucket's own policy: plain HTTP is explicitly denied whatever the role allows", async () => {
    const overHttp = new IamEvaluator({ account: ARNS.account, roles: rolePolicies(deployed), globalContext: { 'aws:SecureTransport': 'false' } });
    const role = rolePolicies(deployed).transformer;
    expect(await overHttp.decide('transformer', role, { action: 's3:PutObject', resource: `${SINK}/fhvhv/x`, context: {} })).toBe('ExplicitlyDenied');
  });

  it('names service, action and resource of a denied call', async () => {
    const call: AwsCall = {
      service: 'scanner',
      operation: 'S3 GetObject',
      request: 'GET /sluice-sink/_sluice/manifests/fhvhv/2024-01.json → 404',
      checks: [
        { action: 's3:GetObject', resource: `${SINK}/_sluice/manifests/fhvhv/2024-01.json`, context: {} },
        { action: 's3:ListBucket', resource: SINK, context: {}, note: 'the key is missing' },
      ],
    };
    expect(await evaluator.denials(call)).toEqual([
      expect.objectContaining({ service: 'scanner', action: 's3:ListBucket', resource: SINK, result: 'ImplicitlyDenied', note: 'the key is missing' }),
    ]);
  });
});
