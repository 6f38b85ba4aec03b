export { waitFor, type WaitForOptions } from './wait-for';
export { startTestNats, startTestNatsCluster, startTestS3, fromEmbedded, type S3KeyPair, type TestNats, type TestS3 } from './servers';
export { natsOperatorSetup, strangerCreds, type NatsOperatorSetup } from './nats-jwt';
export * from './pipeline-harness';
export * from './duckdb';
export * from './cloudfront-like.server';
export * from './fake-ecs.server';
export * from './s3-fault-proxy';
export * from './held-source-read';
