// How a service connects to NATS, built once from its parsed environment: what libs/messaging's connectNats takes.
import type { NatsEnv } from './env.schema';

export interface NatsOptions {
  /** NATS_URL: one or more comma-separated servers, optionally with credentials in the user-info. */
  url: string;
  /** NATS_USER / NATS_PASSWORD. */
  user?: string;
  password?: string;
  /** NATS_TOKEN. */
  token?: string;
  /** NATS_CREDS_FILE: a JWT and its seed; it wins over an nkey seed. */
  credsFile?: string;
  /** NATS_NKEY_SEED (a container secret) or NATS_NKEY_SEED_FILE; the env schema refuses both at once. */
  nkeySeed?: string;
  nkeySeedFile?: string;
  /** Set when NATS_TLS_CA_FILE or NATS_TLS_CERT_FILE is. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export function natsOptionsOf(env: NatsEnv): NatsOptions {
  const options: NatsOptions = { url: env.NATS_URL };
  if (env.NATS_USER !== undefined) options.user = env.NATS_USER;
  if (env.NATS_PASSWORD !== undefined) options.password = env.NATS_PASSWORD;
  if (env.NATS_TOKEN !== undefined) options.token = env.NATS_TOKEN;
  if (env.NATS_CREDS_FILE !== undefined) options.credsFile = env.NATS_CREDS_FILE;
  if (env.NATS_NKEY_SEED !== undefined) options.nkeySeed = env.NATS_NKEY_SEED;
  if (env.NATS_NKEY_SEED_FILE !== undefined) options.nkeySeedFile = env.NATS_NKEY_SEED_FILE;
  if (env.NATS_TLS_CA_FILE || env.NATS_TLS_CERT_FILE) {
    options.tls = { caFile: env.NATS_TLS_CA_FILE, certFile: env.NATS_TLS_CERT_FILE, keyFile: env.NATS_TLS_KEY_FILE };
  }
  return options;
}
