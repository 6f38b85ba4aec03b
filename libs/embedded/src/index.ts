export { startNatsServer, resolveNatsBinary, type EmbeddedNats, type NatsServerOptions } from './nats-server';
export { startS3Server, type EmbeddedS3, type S3ServerOptions } from './s3-server';
export { startServiceProcess, appEntry, projectRoot, type ServiceProcess, type SluiceApp } from './service-process';
