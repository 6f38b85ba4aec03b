export { startNatsServer, resolveNatsBinary, type EmbeddedNats, type NatsServerOptions } from './nats-server';
export { startNatsCluster, type EmbeddedNatsCluster, type NatsClusterNode, type NatsClusterOptions } from './nats-cluster';
export { DEV_DEPENDENCIES_NEEDED, embeddedS3Available, startS3Server, type EmbeddedS3, type S3ServerOptions } from './s3-server';
export { startServiceProcess, appEntry, projectRoot, type ServiceProcess, type SluiceApp } from './service-process';
