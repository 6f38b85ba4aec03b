// Connects to NATS from validated config: URL(s), optional user/password, token, creds file, TLS.
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';

export interface NatsConfig {
  NATS_URL: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_TOKEN?: string;
  NATS_CREDS_FILE?: string;
  NATS_NKEY_SEED_FILE?: string;
  NATS_TLS_CA_FILE?: string;
  NATS_TLS_CERT_FILE?: string;
  NATS_TLS_KEY_FILE?: string;
}

export function natsConnectionOptions(config: NatsConfig, name: string): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: config.NATS_URL.split(',').map((s) => s.trim()).filter(Boolean),
    name,
    // Services reconnect by themselves for as long as they run; a restart of nats-server is routine.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (config.NATS_USER !== undefined) {
    options.user = config.NATS_USER;
    options.pass = config.NATS_PASSWORD;
  }
  if (config.NATS_TOKEN !== undefined) options.token = config.NATS_TOKEN;
  if (config.NATS_CREDS_FILE !== undefined) {
    options.authenticator = credsAuthenticator(new Uint8Array(readFileSync(config.NATS_CREDS_FILE)));
  } else if (config.NATS_NKEY_SEED_FILE !== undefined) {
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(config.NATS_NKEY_SEED_FILE, 'utf8').trim()));
  }
  if (config.NATS_TLS_CA_FILE || config.NATS_TLS_CERT_FILE) {
    options.tls = {
      caFile: config.NATS_TLS_CA_FILE,
      certFile: config.NATS_TLS_CERT_FILE,
      keyFile: config.NATS_TLS_KEY_FILE,
    };
  }
  return options;
}

/** Where we connect, for logs: hosts only, never credentials embedded in a URL. */
export function describeServers(config: NatsConfig): string {
  return config.NATS_URL.split(',')
    .map((s) => s.trim().replace(/\/\/[^@/]*@/, '//'))
    .join(',');
}

export async function connectNats(config: NatsConfig, name: string): Promise<NatsConnection> {
  try {
    return await connect(natsConnectionOptions(config, name));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot connect to NATS at ${describeServers(config)}: ${reason}`);
  }
}
