// Connects to NATS from validated config: URL(s), optional user/password, token, creds file, nkey seed, TLS.
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import { ConfigError } from '@sluice/config';
import { inboxPrefixFor } from '@sluice/contracts';
import { createSecretScrubber, secretValuesOf } from '@sluice/observability';
import { publicKeyOfSeed } from './bus-credentials';
import { describeNatsUrl, parseNatsServers } from './nats-servers';

export interface NatsConfig {
  NATS_URL: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_TOKEN?: string;
  NATS_CREDS_FILE?: string;
  NATS_NKEY_SEED_FILE?: string;
  NATS_NKEY_SEED?: string;
  NATS_TLS_CA_FILE?: string;
  NATS_TLS_CERT_FILE?: string;
  NATS_TLS_KEY_FILE?: string;
}

/** Settings that authenticate by themselves; credentials in NATS_URL may not be combined with them. */
const AUTH_KEYS = ['NATS_USER', 'NATS_TOKEN', 'NATS_CREDS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_NKEY_SEED'] as const;

export function natsConnectionOptions(config: NatsConfig, name: string): ConnectionOptions {
  const { servers, credentials } = parseNatsServers(config.NATS_URL);
  const options: ConnectionOptions = {
    servers,
    name,
    // Services reconnect by themselves for as long as they run; a restart of nats-server is routine.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (credentials) {
    const alsoSet = AUTH_KEYS.filter((key) => config[key] !== undefined);
    if (alsoSet.length > 0) {
      throw new ConfigError([`NATS_URL: carries credentials, and ${alsoSet.join(', ')} ${alsoSet.length > 1 ? 'are' : 'is'} set too; give them one way`]);
    }
    if ('token' in credentials) options.token = credentials.token;
    else Object.assign(options, { user: credentials.user, pass: credentials.pass });
  }
  if (config.NATS_USER !== undefined) {
    options.user = config.NATS_USER;
    options.pass = config.NATS_PASSWORD;
  }
  if (config.NATS_TOKEN !== undefined) options.token = config.NATS_TOKEN;
  if (config.NATS_CREDS_FILE !== undefined) {
    const creds = readFileSync(config.NATS_CREDS_FILE);
    options.authenticator = credsAuthenticator(new Uint8Array(creds));
    // The user's own inbox here too (its key is the creds file's seed), for JWT permissions written like ours.
    const seed = /-----BEGIN USER NKEY SEED-----\s+(SU[A-Z2-7]+)\s/.exec(creds.toString('utf8'))?.[1];
    if (seed) options.inboxPrefix = inboxPrefixFor(publicKeyOfSeed(seed, 'NATS_CREDS_FILE'));
  } else {
    const seed = nkeySeedOf(config);
    if (seed) {
      options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed.seed));
      // Replies come to an inbox only this user may subscribe to (the server's permissions are rendered the same way).
      options.inboxPrefix = inboxPrefixFor(publicKeyOfSeed(seed.seed, seed.from));
    }
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

/** The seed from NATS_NKEY_SEED (a container secret) or NATS_NKEY_SEED_FILE, and where it came from (for errors). */
function nkeySeedOf(config: NatsConfig): { seed: string; from: string } | undefined {
  if (config.NATS_NKEY_SEED !== undefined && config.NATS_NKEY_SEED_FILE !== undefined) {
    throw new ConfigError(['NATS_NKEY_SEED: NATS_NKEY_SEED_FILE is set too; give the seed one way']);
  }
  if (config.NATS_NKEY_SEED !== undefined) return { seed: config.NATS_NKEY_SEED.trim(), from: 'NATS_NKEY_SEED' };
  if (config.NATS_NKEY_SEED_FILE === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(config.NATS_NKEY_SEED_FILE, 'utf8');
  } catch (error) {
    throw new Error(`cannot read NATS_NKEY_SEED_FILE ${config.NATS_NKEY_SEED_FILE}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { seed: text.trim(), from: `NATS_NKEY_SEED_FILE ${config.NATS_NKEY_SEED_FILE}` };
}

/** Where we connect, for logs and errors: scheme, host and port of each server, never a credential. */
export function describeServers(config: Pick<NatsConfig, 'NATS_URL'>): string {
  return describeNatsUrl(config.NATS_URL);
}

export async function connectNats(config: NatsConfig, name: string): Promise<NatsConnection> {
  const options = natsConnectionOptions(config, name); // a ConfigError stays one: it is not a connection problem
  try {
    return await connect(options);
  } catch (error) {
    // The client's reason is masked too: it is a library's text, and may quote what it was given.
    const reason = createSecretScrubber(secretValuesOf(config))(error instanceof Error ? error.message : String(error));
    throw new Error(`cannot connect to NATS at ${describeServers(config)}: ${reason}`);
  }
}
