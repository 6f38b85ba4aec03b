// What each recorded HTTP request is in IAM terms: the action(s) AWS authorizes it as, on which resource ARN, with
// which condition keys. S3 (path-style REST), the ECS JSON API and the ECS agent's task-protection endpoint. A
// request this module does not know is reported as unmapped, never skipped: a new kind of call needs a mapping
// (and a policy) before a test can pass. Sources: the Service Authorization Reference for S3 and ECS, and the S3
// API reference's "Permissions" section of each operation.
import type { RecordedRequest } from './s3-fault-proxy';

/** One authorization AWS makes for a request. */
export interface IamCheck {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** Why this check exists when it is not the request's own action (e.g. 404 instead of 403). */
  note?: string;
}

export interface AwsCall {
  /** Which service made it (the proxy it came through). */
  service: string;
  /** `S3 GetObject`, `ECS UpdateService`, … */
  operation: string;
  /** `GET /bucket/key?x → 200`: for messages. */
  request: string;
  checks: IamCheck[];
}

export interface UnmappedRequest {
  service: string;
  request: string;
  why: string;
}

/** The names ARNs are built from: what the deployment would have. */
export interface ArnContext {
  partition: string;
  region: string;
  account: string;
  /** The ECS cluster the tasks run in (their ARNs name it). */
  cluster: string;
}

export type Protocol = 's3' | 'ecs-api' | 'ecs-agent';

export interface Mapped {
  calls: AwsCall[];
  unmapped: UnmappedRequest[];
}

export function mapRequests(service: string, protocol: Protocol, requests: readonly RecordedRequest[], arns: ArnContext): Mapped {
  const out: Mapped = { calls: [], unmapped: [] };
  for (const r of requests) {
    const request = describe(r);
    const mapped = protocol === 's3' ? mapS3(r, arns) : protocol === 'ecs-api' ? mapEcsApi(r, arns) : mapEcsAgent(r, arns);
    if ('why' in mapped) out.unmapped.push({ service, request, why: mapped.why });
    else out.calls.push({ service, request, operation: mapped.operation, checks: mapped.checks });
  }
  return out;
}

type MapResult = { operation: string; checks: IamCheck[] } | { why: string };

function describe(r: RecordedRequest): string {
  const target = typeof r.headers['x-amz-target'] === 'string' ? ` (${r.headers['x-amz-target']})` : '';
  return `${r.method} ${r.url}${target} → ${r.status ?? 'no answer'}`;
}

// ---- S3 ----------------------------------------------------------------------------------------------------

/** Query parameters that do not change what a request is (the SDK's operation hint). */
const NEUTRAL_PARAMS = new Set(['x-id']);

function mapS3(r: RecordedRequest, arns: ArnContext): MapResult {
  const url = new URL(r.url, 'http://s3.invalid');
  const [, bucket, ...rest] = url.pathname.split('/');
  if (!bucket) return { why: 'no bucket in the path (a ListBuckets or a virtual-hosted request)' };
  const key = rest.length > 0 ? decodeURIComponent(rest.join('/')) : '';
  const params = new Set([...url.searchParams.keys()].filter((p) => !NEUTRAL_PARAMS.has(p)));
  const only = (...allowed: string[]) => [...params].every((p) => allowed.includes(p));
  const q = (name: string) => url.searchParams.get(name);
  const bucketArn = `arn:${arns.partition}:s3:::${bucket}`;
  const objectArn = (k: string) => `${bucketArn}/${k}`;
  const check = (action: string, resource: string, context: IamCheck['context'] = {}): IamCheck => ({ action, resource, context });
  const op = (operation: string, ...checks: IamCheck[]): MapResult => ({ operation: `S3 ${operation}`, checks });
  const m = r.method;

  if (key === '') {
    if (m === 'GET' && q('list-type') === '2' && only('list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'encoding-type', 'fetch-owner')) {
      const context: IamCheck['context'] = {};
      if (q('prefix') !== null) context['s3:prefix'] = q('prefix')!;
      if (q('delimiter') !== null) context['s3:delimiter'] = q('delimiter')!;
      if (q('max-keys') !== null) context['s3:max-keys'] = q('max-keys')!;
      return op('ListObjectsV2', check('s3:ListBucket', bucketArn, context));
    }
    if (m === 'POST' && only('delete')) {
      const keys = [...r.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((k) => unescapeXml(k[1]));
      if (keys.length === 0) return { why: 'DeleteObjects without a <Key> in its recorded body' };
      return op('DeleteObjects', ...keys.map((k) => check('s3:DeleteObject', objectArn(k))));
    }
    if (m === 'HEAD' && params.size === 0) return op('HeadBucket', check('s3:ListBucket', bucketArn));
    if (m === 'GET' && only('uploads', 'prefix', 'key-marker', 'upload-id-marker', 'max-uploads')) {
      if (params.has('uploads')) return op('ListMultipartUploads', check('s3:ListBucketMultipartUploads', bucketArn));
    }
    if (m === 'PUT' && params.size === 0) return op('CreateBucket', check('s3:CreateBucket', bucketArn));
    return { why: `unknown bucket-level S3 request (${m} with ${[...params].join(', ') || 'no parameters'})` };
  }

  const target = objectArn(key);
  // Headers that ask for more than the object itself: each is its own permission.
  const extras: IamCheck[] = [];
  if (Object.keys(r.headers).some((h) => h === 'x-amz-acl' || h.startsWith('x-amz-grant-'))) extras.push(check('s3:PutObjectAcl', target));
  if (r.headers['x-amz-tagging'] !== undefined) extras.push(check('s3:PutObjectTagging', target));

  switch (m) {
    case 'GET':
    case 'HEAD': {
      if (m === 'GET' && params.has('uploadId') && only('uploadId', 'max-parts', 'part-number-marker')) {
        return op('ListParts', check('s3:ListMultipartUploadParts', target));
      }
      if (!only('partNumber', 'response-content-type', 'response-content-disposition', 'response-cache-control')) break;
      const checks = [check('s3:GetObject', target)];
      // S3 answers a missing key with 404 only to a caller allowed s3:ListBucket on the bucket; to anyone else it is
      // 403 AccessDenied, which the store (rightly) treats as a permanent failure, not as "absent".
      if (r.status === 404) {
        checks.push({ ...check('s3:ListBucket', bucketArn), note: `the key is missing: without s3:ListBucket on ${bucket} this ${m} is 403, not 404` });
      }
      return op(m === 'GET' ? 'GetObject' : 'HeadObject', ...checks);
    }
    case 'PUT': {
      const copySource = r.headers['x-amz-copy-source'];
      const isPart = params.has('uploadId') && params.has('partNumber') && only('uploadId', 'partNumber');
      if (typeof copySource === 'string') {
        if (!(params.size === 0 || isPart)) break;
        const source = copySourceArn(copySource, arns);
        if (!source) return { why: `unreadable x-amz-copy-source ${copySource}` };
        return op(isPart ? 'UploadPartCopy' : 'CopyObject', check('s3:PutObject', target), check('s3:GetObject', source), ...extras);
      }
      if (isPart) return op('UploadPart', check('s3:PutObject', target));
      if (params.size === 0) return op('PutObject', check('s3:PutObject', target), ...extras);
      break;
    }
    case 'POST':
      if (only('uploads') && params.has('uploads')) return op('CreateMultipartUpload', check('s3:PutObject', target), ...extras);
      if (only('uploadId') && params.has('uploadId')) return op('CompleteMultipartUpload', check('s3:PutObject', target));
      break;
    case 'DELETE':
      if (only('uploadId') && params.has('uploadId')) return op('AbortMultipartUpload', check('s3:AbortMultipartUpload', target));
      if (params.size === 0) return op('DeleteObject', check('s3:DeleteObject', target));
      break;
  }
  return { why: `unknown object-level S3 request (${m} with ${[...params].join(', ') || 'no parameters'})` };
}

/** `/bucket/key` or `bucket/key` (URL-encoded); a versionId would be s3:GetObjectVersion, which we never use. */
function copySourceArn(header: string, arns: ArnContext): string | undefined {
  const [path, query] = header.split('?');
  if (query) return undefined;
  const decoded = decodeURIComponent(path).replace(/^\//, '');
  if (!decoded.includes('/')) return undefined;
  return `arn:${arns.partition}:s3:::${decoded}`;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

// ---- ECS ---------------------------------------------------------------------------------------------------

const ECS_TARGET = /^AmazonEC2ContainerServiceV20141113\.(\w+)$/;

function mapEcsApi(r: RecordedRequest, arns: ArnContext): MapResult {
  const target = ECS_TARGET.exec(String(r.headers['x-amz-target'] ?? ''));
  if (r.method !== 'POST' || !target) return { why: 'not an ECS JSON API request (POST with X-Amz-Target)' };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(r.body || '{}') as Record<string, unknown>;
  } catch {
    return { why: 'ECS request body is not JSON' };
  }
  const cluster = nameOf(body.cluster ?? 'default');
  const clusterArn = `arn:${arns.partition}:ecs:${arns.region}:${arns.account}:cluster/${cluster}`;
  const serviceArn = (service: unknown) => {
    const s = String(service);
    return s.startsWith('arn:') ? s : `arn:${arns.partition}:ecs:${arns.region}:${arns.account}:service/${cluster}/${s}`;
  };
  const context = { 'ecs:cluster': clusterArn };
  const operation = target[1];
  switch (operation) {
    case 'DescribeServices': {
      const services = Array.isArray(body.services) ? body.services : [];
      if (services.length === 0) return { why: 'DescribeServices without services' };
      return { operation: `ECS ${operation}`, checks: services.map((s) => ({ action: 'ecs:DescribeServices', resource: serviceArn(s), context })) };
    }
    case 'UpdateService':
      if (typeof body.service !== 'string') return { why: 'UpdateService without a service' };
      return { operation: `ECS ${operation}`, checks: [{ action: 'ecs:UpdateService', resource: serviceArn(body.service), context }] };
    default:
      return { why: `ECS ${operation} has no mapping` };
  }
}

/**
 * `$ECS_AGENT_URI/task-protection/v1/state`: the agent calls ECS with the task role's credentials, on the task's
 * own ARN (ECS developer guide, "Task scale-in protection endpoint"). ECS_AGENT_URI ends in the task id.
 */
function mapEcsAgent(r: RecordedRequest, arns: ArnContext): MapResult {
  const path = /\/([^/]+)\/task-protection\/v1\/state$/.exec(new URL(r.url, 'http://agent.invalid').pathname);
  if (!path) return { why: 'not a task-protection request' };
  const taskArn = `arn:${arns.partition}:ecs:${arns.region}:${arns.account}:task/${arns.cluster}/${path[1]}`;
  const context = { 'ecs:cluster': `arn:${arns.partition}:ecs:${arns.region}:${arns.account}:cluster/${arns.cluster}` };
  if (r.method === 'PUT') return { operation: 'ECS UpdateTaskProtection', checks: [{ action: 'ecs:UpdateTaskProtection', resource: taskArn, context }] };
  if (r.method === 'GET') return { operation: 'ECS GetTaskProtection', checks: [{ action: 'ecs:GetTaskProtection', resource: taskArn, context }] };
  return { why: `task-protection ${r.method} has no mapping` };
}

const nameOf = (v: unknown) => String(v).split('/').pop()!;
