// Connects to NATS from typed options (natsOptionsOf): URL(s), optional user/password, token, creds file, nkey seed, TLS.
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import { describeNatsUrl, parseNatsServers, type NatsOptions } from '@sluice/config';
import { inboxPrefixFor } from '@sluice/contracts';
import { createSecretScrubber, secretValuesOf } from '@sluice/observability';
import { publicKeyOfSeed } from './bus-credentials';

export function natsConnectionOptions(nats: NatsOptions, name: string): ConnectionOptions {
  const { servers, credentials } = parseNatsServers(nats.url);
  const options: ConnectionOptions = {
    servers,
    name,
    // Services reconnect by themselves for as long as they run; a restart of nats-server is routine.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  // The env schema refuses URL credentials combined with a user, token, creds or seed: at most one applies.
  if (credentials) {
    if ('token' in credentials) options.token = credentials.token;
    else Object.assign(options, { user: credentials.user, pass: credentials.pass });
  }
  if (nats.user !== undefined) {
    options.user = nats.user;
    options.pass = nats.password;
  }
  if (nats.token !== undefined) options.token = nats.token;
  if (nats.credsFile !== undefined) {
    const creds = readFileSync(nats.credsFile);
    options.authenticator = credsAuthenticator(new Uint8Array(creds));
    // The user's own inbox here too (its key is the creds file's seed), for JWT permissions written like ours.
    const seed = /-----BEGIN USER NKEY SEED-----\s+(SU[A-Z2-7]+)\s/.exec(creds.toString('utf8'))?.[1];
    if (seed) options.inboxPrefix = inboxPrefixFor(publicKeyOfSeed(seed, 'NATS_CREDS_FILE'));
  } else {
    const seed = nkeySeedOf(nats);
    if (seed) {
      options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed.seed));
      // Replies come to an inbox only this user may subscribe to (the server's permissions are rendered the same way).
      options.inboxPrefix = inboxPrefixFor(publicKeyOfSeed(seed.seed, seed.from));
    }
  }
  if (nats.tls) options.tls = { ...nats.tls };
  return options;
}

/** The seed from NATS_NKEY_SEED (a container secret) or NATS_NKEY_SEED_FILE, and where it came from (for errors). */
function nkeySeedOf(nats: NatsOptions): { seed: string; from: string } | undefined {
  if (nats.nkeySeed !== undefined) return { seed: nats.nkeySeed.trim(), from: 'NATS_NKEY_SEED' };
  if (nats.nkeySeedFile === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(nats.nkeySeedFile, 'utf8');
  } catch (error) {
    throw new Error(`cannot read NATS_NKEY_SEED_FILE ${nats.nkeySeedFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { seed: text.trim(), from: `NATS_NKEY_SEED_FILE ${nats.nkeySeedFile}` };
}

/** Where we connect, for logs and errors: scheme, host and port of each server, never a credential. */
export function describeServers(nats: Pick<NatsOptions, 'url'>): string {
  return describeNatsUrl(nats.url);
}

/** The secrets these options hold, found by the environment keys they came from (see secretValuesOf). */
function secretsOf(nats: NatsOptions): string[] {
  return secretValuesOf({
    NATS_URL: nats.url,
    NATS_PASSWORD: nats.password,
    NATS_TOKEN: nats.token,
    NATS_NKEY_SEED: nats.nkeySeed,
    NATS_NKEY_SEED_FILE: nats.nkeySeedFile,
    NATS_CREDS_FILE: nats.credsFile,
  });
}

export async function connectNats(nats: NatsOptions, name: string): Promise<NatsConnection> {
  const options = natsConnectionOptions(nats, name); // a ConfigError stays one: it is not a connection problem
  try {
    return await connect(options);
  } catch (error) {
    // The client's reason is masked too: it is a library's text, and may quote what it was given.
    const reason = createSecretScrubber(secretsOf(nats))(error instanceof Error ? error.message : String(error));
    throw new Error(`cannot connect to NATS at ${describeServers(nats)}: ${reason}`);
  }
}
