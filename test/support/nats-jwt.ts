// Decentralized NATS auth for tests: an operator, an account with JetStream and its users, as signed JWTs, and the
// nats-server configuration (operator mode, memory resolver) that trusts them. A user's `.creds` file holds its JWT
// and nkey seed — the form NATS_CREDS_FILE takes in production (nsc / Synadia issue the same).
// The JWTs are built here with @nats-io/nkeys (a dependency already): header.claims.signature, base64url, ed25519.
import { createHash, randomBytes } from 'node:crypto';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';

const HEADER = { typ: 'JWT', alg: 'ed25519-nkey' };
const b64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

function sign(claims: { sub: string; name: string; nats: Record<string, unknown> }, issuer: KeyPair): string {
  const body = { iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), ...claims };
  // jti: a unique id of the claims (nats-server does not check how it is made; nsc hashes the claims).
  const jti = createHash('sha256').update(JSON.stringify(body)).update(randomBytes(8)).digest('base64url').toUpperCase();
  const signed = `${b64url(JSON.stringify(HEADER))}.${b64url(JSON.stringify({ jti, ...body }))}`;
  return `${signed}.${b64url(issuer.sign(new TextEncoder().encode(signed)))}`;
}

/** Everything unlimited, JetStream on. */
const ACCOUNT_LIMITS = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

export interface NatsOperatorSetup {
  /** nats-server configuration text: operator mode, memory resolver with the account preloaded. */
  config: string;
  account: KeyPair;
  /** A `.creds` file's content for a new user of the account (permissions: everything unless given). */
  userCreds(name: string, permissions?: { pub?: { allow?: string[] }; sub?: { allow?: string[] } }): { creds: string; seed: string; jwt: string };
}

export function natsOperatorSetup(): NatsOperatorSetup {
  const operator = createOperator();
  const account = createAccount();
  const system = createAccount();
  const operatorJwt = sign({ sub: operator.getPublicKey(), name: 'sluice-test-operator', nats: { type: 'operator', version: 2 } }, operator);
  const accountJwt = (kp: KeyPair, name: string, limits: Record<string, unknown>) =>
    sign({ sub: kp.getPublicKey(), name, nats: { type: 'account', version: 2, limits } }, operator);
  const config = [
    `operator: "${operatorJwt}"`,
    `system_account: "${system.getPublicKey()}"`,
    'resolver: MEMORY',
    'resolver_preload: {',
    `  ${account.getPublicKey()}: "${accountJwt(account, 'sluice', ACCOUNT_LIMITS)}"`,
    `  ${system.getPublicKey()}: "${accountJwt(system, 'SYS', { subs: -1, data: -1, payload: -1, conn: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 })}"`,
    '}',
  ].join('\n');
  return {
    config,
    account,
    userCreds(name, permissions = {}) {
      const user = createUser();
      const jwt = sign(
        { sub: user.getPublicKey(), name, nats: { type: 'user', version: 2, pub: permissions.pub ?? {}, sub: permissions.sub ?? {}, subs: -1, data: -1, payload: -1 } },
        account,
      );
      const seed = new TextDecoder().decode(user.getSeed());
      return { creds: credsFile(jwt, seed), seed, jwt };
    },
  };
}

/** A user signed by an account the server does not know: the server refuses it. */
export function strangerCreds(): { creds: string; seed: string; jwt: string } {
  return natsOperatorSetup().userCreds('stranger');
}

function credsFile(jwt: string, seed: string): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    jwt,
    '------END NATS USER JWT------',
    '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    'NKEYs are sensitive and should be treated as secrets.',
    '',
    '-----BEGIN USER NKEY SEED-----',
    seed,
    '------END USER NKEY SEED------',
    '',
    '*************************************************************',
    '',
  ].join('\n');
}
