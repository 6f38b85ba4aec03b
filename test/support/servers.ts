// Servers for integration tests: a real nats-server, and an S3-compatible server (s3rver in a child process
// by default; MinIO in Docker when SLUICE_TEST_DOCKER=1 and a Docker engine answers). One set per test file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { type EmbeddedNats, type EmbeddedNatsCluster, type EmbeddedS3, startNatsCluster, startNatsServer, startS3Server } from '@sluice/embedded';
import { createS3Client, type S3ConnectionOptions } from '@sluice/storage';

export type TestNats = EmbeddedNats;

export interface TestS3 {
  kind: 's3rver' | 'minio';
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Ready for openObjectStore(url, connection) / createS3Client(connection). */
  connection: S3ConnectionOptions;
  /** s3rver only: where it keeps objects, to start it again on the same data. */
  dir?: string;
  stop(): Promise<void>;
}

/** A nats-server with JetStream on a free port and a temp store; `config` is nats-server configuration text (auth, TLS). */
export function startTestNats(config?: string): Promise<TestNats> {
  if (!config) return startNatsServer({ port: 0 });
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-nats-conf-')), 'nats.conf');
  writeFileSync(file, config);
  return startNatsServer({ port: 0, args: ['-c', file] });
}

/**
 * A JetStream cluster of `size` nats-servers on loopback, each with `config` (the same authorization on every node),
 * and the cluster as a TestNats for code that takes one server: its url lists every node; port, storeDir and
 * restart() are the first node's.
 */
export async function startTestNatsCluster(size: number, config?: string): Promise<{ nats: TestNats; cluster: EmbeddedNatsCluster }> {
  const cluster = await startNatsCluster({ size, config });
  const first = cluster.nodes[0];
  const nats: TestNats = {
    url: cluster.url,
    port: first.port,
    storeDir: first.storeDir,
    stop: () => cluster.stop(),
    async restart() {
      await first.kill('SIGTERM');
      await first.start();
    },
  };
  return { nats, cluster };
}

/** `credentials`: the only key pair the server accepts (default: each server's own test key). */
export async function startTestS3(buckets: string[] = [], credentials?: S3KeyPair): Promise<TestS3> {
  if (process.env.SLUICE_TEST_DOCKER === '1') {
    const minio = await startMinio(buckets, credentials);
    if (minio) return minio;
  }
  return fromEmbedded(await startS3Server({ buckets, credentials }));
}

export interface S3KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

export function fromEmbedded(s3: EmbeddedS3): TestS3 {
  return {
    kind: 's3rver',
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    connection: connectionTo(s3),
    dir: s3.dir,
    stop: () => s3.stop(),
  };
}

function connectionTo(s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }): S3ConnectionOptions {
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  };
}

const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';

/** undefined when no Docker engine is reachable: the caller falls back to s3rver. */
async function startMinio(buckets: string[], credentials?: S3KeyPair): Promise<TestS3 | undefined> {
  // Loaded only on this path: testcontainers is heavy and probes Docker on import of some modules.
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    console.warn(`SLUICE_TEST_DOCKER=1 but no Docker engine is reachable (${(error as Error).message}); using s3rver`);
    return undefined;
  }
  const { accessKeyId, secretAccessKey } = credentials ?? { accessKeyId: 'sluice-test', secretAccessKey: 'sluice-test-secret' };
  const container = await new GenericContainer(MINIO_IMAGE)
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey })
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000))
    .start();
  const s3 = {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(9000)}`,
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
  };
  const client = createS3Client(connectionTo(s3));
  try {
    for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return {
    kind: 'minio',
    ...s3,
    connection: connectionTo(s3),
    stop: async () => {
      await container.stop();
    },
  };
}
