// NATS security: user/password, token, nkey, a creds file (operator mode) and TLS (with a CA the test generates), each against a nats-server
// configured for it. The services and the CLI work with the right credentials; with wrong ones a service exits
// with one clear line, not a stack-trace loop.
import { execFileSync, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createUser } from '@nats-io/nkeys';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import { appEntry, startServiceProcess } from '@sluice/embedded';
import { afterAll, describe, expect, it } from 'vitest';
import { natsOperatorSetup, startPipelineHarness, strangerCreds, type PipelineHarness } from '../support';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sluice-sec-'));

function testCa(): { ca: string; cert: string; key: string } {
  const p = (f: string) => join(dir, f);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '1', '-subj', '/CN=sluice test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '1', '-extfile', p('ext.cnf'));
  return { ca: p('ca.pem'), cert: p('server.pem'), key: p('server.key') };
}

interface Mode {
  name: string;
  config: string;
  client: Partial<ConnectionOptions>;
  env: NodeJS.ProcessEnv;
  wrongEnv: NodeJS.ProcessEnv;
  wrongMessage: RegExp;
}

function modes(): Mode[] {
  const user = createUser();
  const seedFile = join(dir, 'user.nk');
  writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()));
  const wrongSeed = join(dir, 'other.nk');
  writeFileSync(wrongSeed, new TextDecoder().decode(createUser().getSeed()));
  const tls = testCa();
  const operator = natsOperatorSetup();
  const credsFile = join(dir, 'sluice.creds');
  writeFileSync(credsFile, operator.userCreds('sluice').creds);
  const strangerFile = join(dir, 'stranger.creds');
  writeFileSync(strangerFile, strangerCreds().creds);
  return [
    {
      name: 'user/password',
      config: 'authorization { user: sluice, password: "pw-9f3Kq-correct" }',
      client: { user: 'sluice', pass: 'pw-9f3Kq-correct' },
      env: { NATS_USER: 'sluice', NATS_PASSWORD: 'pw-9f3Kq-correct' },
      wrongEnv: { NATS_USER: 'sluice', NATS_PASSWORD: 'nope' },
      wrongMessage: /Authorization Violation/i,
    },
    {
      name: 'token',
      config: 'authorization { token: "tok-7Hh2-correct" }',
      client: { token: 'tok-7Hh2-correct' },
      env: { NATS_TOKEN: 'tok-7Hh2-correct' },
      wrongEnv: { NATS_TOKEN: 'nope' },
      wrongMessage: /Authorization Violation/i,
    },
    {
      name: 'nkey',
      config: `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }`,
      client: { authenticator: nkeyAuthenticator(user.getSeed()) },
      env: { NATS_NKEY_SEED_FILE: seedFile },
      wrongEnv: { NATS_NKEY_SEED_FILE: wrongSeed },
      wrongMessage: /Authorization Violation/i,
    },
    {
      name: 'creds file (operator mode, user JWT + seed)',
      config: operator.config,
      client: { authenticator: credsAuthenticator(new TextEncoder().encode(operator.userCreds('test').creds)) },
      env: { NATS_CREDS_FILE: credsFile },
      wrongEnv: { NATS_CREDS_FILE: strangerFile }, // a user of an account the server does not trust
      wrongMessage: /Authorization Violation/i,
    },
    {
      name: 'TLS (test CA)',
      config: `tls { cert_file: "${tls.cert}", key_file: "${tls.key}" }`,
      client: { tls: { caFile: tls.ca } },
      env: { NATS_TLS_CA_FILE: tls.ca },
      wrongEnv: {}, // no CA: the server's certificate cannot be verified
      wrongMessage: /certificate|self.signed|unable to verify|TLS/i,
    },
  ];
}

describe.each(modes())('NATS $name', (mode) => {
  let h: PipelineHarness;
  afterAll(async () => {
    await h?.stop();
  });

  it('services and the CLI run a pipeline with the right credentials', async () => {
    h = await startPipelineHarness({ natsConfig: mode.config, client: mode.client, env: mode.env });
    await h.startService('scanner');
    const record = await h.run({ intent: 'incremental', runId: 'secured' });
    expect(record.state).toBe('succeeded');
    const { stdout } = await exec(process.execPath, [appEntry('cli'), 'status', 'secured'], {
      env: { PATH: process.env.PATH, NATS_URL: h.nats.url, ...mode.env },
    });
    expect(stdout).toMatch(/run secured \(incremental\): succeeded/);
  });

  it('a service with wrong credentials exits with one clear line', async () => {
    const logFile = join(h.logDir, 'wrong.log');
    const env = { ...h.env, NATS_USER: undefined, NATS_PASSWORD: undefined, NATS_TOKEN: undefined, NATS_NKEY_SEED_FILE: undefined, NATS_TLS_CA_FILE: undefined, ...mode.wrongEnv };
    const service = startServiceProcess('scanner', { env, logFile });
    const { code } = await service.exited;
    expect(code).toBe(1);
    const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.startsWith('sluice scanner:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot connect to NATS at /);
    expect(lines[0]).toMatch(mode.wrongMessage);
  });
});
