// No secret anywhere sluice writes. For every kind of NATS credential — user/password, token, nkey seed file, nkey seed
// in the environment, creds file (user JWT + seed, against a nats-server in operator mode) — and S3 keys (access key id, secret, session token),
// all unique marker values, the pipeline runs with failures, dead letters, a cancel, a dry-run, the CLI's commands,
// an S3 server that rejects the key (and echoes it in its error body), and connection errors (a wrong credential, a
// NATS_URL with credentials and no scheme, an S3_ENDPOINT with credentials). Then every log line, every message seen
// on the bus and every message left in every stream, every KV entry, every object under the sink's `_sluice/`
// (manifests, run reports) and all CLI output is searched for each secret, raw and base64, and inside every
// base64 blob. One test file per kind of credential (no-secrets.*.test.ts) runs this scenario.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kvm } from '@nats-io/kv';
import { createUser } from '@nats-io/nkeys';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type Subscription } from '@nats-io/transport-node';
import { isFinalRunState, KV, STREAMS, SUBJECTS, type RunRecord } from '@sluice/contracts';
import { appEntry, startServiceProcess } from '@sluice/embedded';
import { generateBadFile, generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsOperatorSetup, startPipelineHarness, strangerCreds, waitFor, type PipelineHarness } from '../support';
import { recordSecurityRow } from './security-table';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sluice-secrets-'));
const marker = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;

interface CredentialKind {
  name: string;
  natsConfig: string;
  client: Partial<ConnectionOptions>;
  /** What the services and the CLI are given. */
  env: NodeJS.ProcessEnv;
  /** The same kind of credential, but one the server refuses. */
  wrongEnv: NodeJS.ProcessEnv;
  /** Secret values of this kind (the wrong ones included: they are secrets too). */
  secrets: Record<string, string>;
  /** NATS_URL with the credential in it and no scheme, for a host:port; undefined where the kind has no URL form. */
  schemelessUrl?: (hostPort: string) => string;
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** The kinds of NATS credential, by name: one test file each (no-secrets.*.test.ts), so they can run side by side. */
export const CREDENTIAL_KINDS = ['user/password', 'token', 'nkey seed file', 'nkey seed in NATS_NKEY_SEED (a container secret)', 'creds file (operator JWT + nkey)'] as const;
export type CredentialKindName = (typeof CREDENTIAL_KINDS)[number];

const otherSeed = () => new TextDecoder().decode(createUser().getSeed());

/** One kind of credential, with fresh marker values (built only for the file that tests it). */
function credentialKind(name: CredentialKindName): CredentialKind {
  switch (name) {
    case 'user/password': {
      const password = marker('natsPassword');
      const wrongPassword = marker('wrongPassword');
      return {
        name,
        natsConfig: `authorization { user: sluice, password: "${password}" }`,
        client: { user: 'sluice', pass: password },
        env: { NATS_USER: 'sluice', NATS_PASSWORD: password },
        wrongEnv: { NATS_USER: 'sluice', NATS_PASSWORD: wrongPassword },
        secrets: { 'NATS password': password, 'wrong NATS password': wrongPassword },
        schemelessUrl: (hp) => `sluice:${password}@${hp}`,
      };
    }
    case 'token': {
      const token = marker('natsToken');
      const wrongToken = marker('wrongToken');
      return {
        name,
        natsConfig: `authorization { token: "${token}" }`,
        client: { token },
        env: { NATS_TOKEN: token },
        wrongEnv: { NATS_TOKEN: wrongToken },
        secrets: { 'NATS token': token, 'wrong NATS token': wrongToken },
        schemelessUrl: (hp) => `${token}@${hp}`,
      };
    }
    case 'nkey seed file': {
      const user = createUser();
      const seed = new TextDecoder().decode(user.getSeed());
      const wrongSeed = otherSeed();
      return {
        name,
        natsConfig: `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }`,
        client: { authenticator: nkeyAuthenticator(user.getSeed()) },
        // The capacity manager's local workers connect with their own seed file: here the same user's.
        env: { NATS_NKEY_SEED_FILE: file('user.nk', `${seed}\n`), WORKER_NATS_NKEY_SEED_FILE: join(dir, 'user.nk') },
        wrongEnv: { NATS_NKEY_SEED_FILE: file('other.nk', `${wrongSeed}\n`) },
        secrets: { 'nkey seed': seed, 'wrong nkey seed': wrongSeed },
      };
    }
    case 'nkey seed in NATS_NKEY_SEED (a container secret)': {
      const envUser = createUser();
      const envSeed = new TextDecoder().decode(envUser.getSeed());
      const wrongSeed = otherSeed();
      return {
        name,
        natsConfig: `authorization { users = [ { nkey: "${envUser.getPublicKey()}" } ] }`,
        client: { authenticator: nkeyAuthenticator(envUser.getSeed()) },
        env: { NATS_NKEY_SEED: envSeed, WORKER_NATS_NKEY_SEED_FILE: file('env-user.nk', `${envSeed}\n`) },
        wrongEnv: { NATS_NKEY_SEED: wrongSeed },
        secrets: { 'nkey seed (env)': envSeed, 'wrong nkey seed': wrongSeed },
      };
    }
    case 'creds file (operator JWT + nkey)': {
      const operator = natsOperatorSetup();
      const service = operator.userCreds('sluice');
      const tester = operator.userCreds('test');
      const stranger = strangerCreds();
      return {
        name,
        natsConfig: operator.config,
        client: { authenticator: credsAuthenticator(new TextEncoder().encode(tester.creds)) },
        env: { NATS_CREDS_FILE: file('sluice.creds', service.creds) },
        wrongEnv: { NATS_CREDS_FILE: file('stranger.creds', stranger.creds) },
        secrets: { 'creds seed': service.seed, 'creds JWT': service.jwt, 'stranger seed': stranger.seed },
      };
    }
  }
}

/** Everything to search, by where it came from. */
class Corpus {
  readonly parts: Array<{ where: string; text: string }> = [];
  readonly counts = { logLines: 0, busMessages: 0, streamMessages: 0, kvEntries: 0, sinkObjects: 0, cliOutputs: 0 };
  add(where: string, text: string): void {
    this.parts.push({ where, text });
  }
  /** Where a secret occurs: raw, base64 or base64url, or inside any base64 blob of 16+ characters. */
  leaks(secrets: Record<string, string>): string[] {
    const found: string[] = [];
    for (const { where, text } of this.parts) {
      const decoded = (text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []).map((blob) => Buffer.from(blob, 'base64').toString('latin1')).join('\n');
      for (const [name, secret] of Object.entries(secrets)) {
        const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
        if (forms.some((f) => text.includes(f)) || decoded.includes(secret)) found.push(`${name} in ${where}`);
      }
    }
    return [...new Set(found)];
  }
}

/** The whole scenario for one kind of NATS credential (and the S3 keys). */
export function describeNoSecrets(kindName: CredentialKindName): void {
  describe(`no secret leaks: NATS ${kindName}, S3 keys`, () => {
    const kind = credentialKind(kindName);
    const s3 = { accessKeyId: marker('AKIAsluice'), secretAccessKey: marker('s3Secret') };
    const sessionToken = marker('s3Session');
    const wrongAccessKeyId = marker('AKIAwrong');
    const endpointSecret = marker('endpointSecret');
    const secrets: Record<string, string> = {
      ...kind.secrets,
      'S3 access key id': s3.accessKeyId,
      'S3 secret access key': s3.secretAccessKey,
      'S3 session token': sessionToken,
      'rejected S3 access key id': wrongAccessKeyId,
      'secret in S3_ENDPOINT': endpointSecret,
    };
    const corpus = new Corpus();
    const runIds: string[] = [];
    let h: PipelineHarness;
    let tap: Subscription;
    let hostPort: string;

    /** The env a CLI or service gets: only what the harness gives (kind's credentials, S3 keys), plus overrides. */
    const envWith = (overrides: NodeJS.ProcessEnv = {}) => {
      const env = { ...h.env, ...overrides };
      for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
      return env;
    };
    const withoutNatsAuth = {
      NATS_USER: undefined,
      NATS_PASSWORD: undefined,
      NATS_TOKEN: undefined,
      NATS_NKEY_SEED_FILE: undefined,
      NATS_NKEY_SEED: undefined,
      WORKER_NATS_NKEY_SEED_FILE: undefined,
      NATS_CREDS_FILE: undefined,
    };

    async function sluice(args: string[], env: NodeJS.ProcessEnv = envWith()): Promise<{ code: number; out: string }> {
      const r = await exec(process.execPath, [appEntry('cli'), ...args], { env, timeout: 120_000 }).then(
        (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      const out = `${r.stdout}${r.stderr}`;
      corpus.add(`the output of \`sluice ${args.join(' ')}\``, out);
      corpus.counts.cliOutputs += 1;
      return { code: r.code, out };
    }

    /** Requests and work published so far, events held, and each manifest's commit. */
    async function busState() {
      const last = async (stream: string) => (await h.jsm.streams.info(stream)).state;
      const manifests = new Map((await h.manifests()).map((m) => [`${m.dataset}/${m.month}`, `${m.runId}:${m.output.key}`]));
      return { requests: (await last(STREAMS.control)).last_seq + (await last(STREAMS.work)).last_seq, events: (await last(STREAMS.events)).messages, manifests };
    }

    async function finalRecord(runId: string, timeoutMs = 90_000): Promise<RunRecord> {
      return waitFor(
        async () => {
          const record = await h.runs.get(runId);
          return record && isFinalRunState(record.state) ? record : undefined;
        },
        { what: `run ${runId} to finish (logs: ${h.logDir})`, timeoutMs, intervalMs: 200 },
      );
    }

    beforeAll(async () => {
      h = await startPipelineHarness({
        natsConfig: kind.natsConfig,
        client: kind.client,
        s3Credentials: s3,
        env: { ...kind.env, AWS_SESSION_TOKEN: sessionToken, LOG_LEVEL: 'debug', WORK_MAX_DELIVER: '2' },
      });
      hostPort = `127.0.0.1:${h.nats.port}`;
      // Every message any client publishes in this account, as it crosses the bus (work included, before it is consumed).
      tap = h.nc.subscribe('>', {
        callback: (_e, m) => {
          corpus.add(`a message on ${m.subject}`, `${m.subject} ${m.headers?.toString() ?? ''} ${Buffer.from(m.data).toString('latin1')}`);
          corpus.counts.busMessages += 1;
        },
      });
      await h.source.put('fhvhv_tripdata_2024-01.parquet', generateFhvhvParquet({ month: '2024-01', rows: 2_000, seed: 1 }));
      await h.source.put('fhvhv_tripdata_2024-02.parquet', generateBadFile('html'));
      await h.startService('scanner');
      await h.startService('capacity-manager');
    }, 60_000);
    afterAll(async () => {
      tap?.unsubscribe();
      await h?.stop();
    });

    it('runs: a failure and its dead letter, a dry-run, status, dlq list and replay, a cancel', async () => {
      runIds.push('secrets-run');
      const run = await sluice(['run', '--intent', 'incremental', '--wait', '--run-id', 'secrets-run']);
      expect(run.code).toBe(1); // one file failed: it is named, with its reason
      expect(run.out).toMatch(/fhvhv_tripdata_2024-02\.parquet/);
      expect(await finalRecord('secrets-run')).toMatchObject({ state: 'completed_with_failures', done: 1, failed: 1 });
      expect((await sluice(['run', '--dry-run', '--intent', 'reprocess'])).code).toBe(0);
      expect((await sluice(['run', '--dry-run', '--intent', 'incremental', '--json'])).code).toBe(0);
      expect((await sluice(['status'])).out).toMatch(/PIPELINE_WORK/);
      expect((await sluice(['status', '--json'])).code).toBe(0);
      expect((await sluice(['status', 'secrets-run'])).out).toMatch(/run secrets-run \(incremental\): completed_with_failures/);
      const letters = JSON.parse((await sluice(['dlq', 'list', '--json'])).out) as Array<{ id: number; runId?: string }>;
      expect(letters.some((l) => l.runId === 'secrets-run')).toBe(true);
      await sluice(['dlq', 'list']);
      expect((await sluice(['dlq', 'replay', String(letters[0].id)])).code).toBe(1); // work is not replayed

      // A poison run request from a client: dead-lettered by the scanner.
      h.nc.publish(SUBJECTS.run, '{"intent":"everything"}');
      await waitFor(async () => (await h.deadLetters()).some((d) => d.subject === SUBJECTS.run), { what: 'the poison run request dead-lettered' });

      // A cancel, made deterministic: no workers while the run is queued.
      await h.services.get('capacity-manager')!.stop();
      runIds.push('secrets-cancel');
      expect((await sluice(['run', '--intent', 'reprocess', '--run-id', 'secrets-cancel'])).code).toBe(0);
      await waitFor(async () => (await h.runs.get('secrets-cancel'))?.state === 'running', { what: 'secrets-cancel running' });
      expect((await sluice(['cancel', 'secrets-cancel', '--reason', 'secrets test'])).code).toBe(0);
      expect(await finalRecord('secrets-cancel')).toMatchObject({ state: 'cancelled' });
      await sluice(['cancel', 'no-such-run']);
      await sluice(['run', '--intent', 'nope']);
      await h.startService('capacity-manager');
    });

    it('S3 refuses the key: the server echoes it in its error body; files fail with the reason, not the key', async () => {
      // Workers with an access key id the server does not know: every source read is answered InvalidAccessKeyId.
      await h.services.get('capacity-manager')!.stop();
      await h.startService('capacity-manager', { AWS_ACCESS_KEY_ID: wrongAccessKeyId });
      runIds.push('secrets-denied');
      expect((await sluice(['run', '--intent', 'reprocess', '--run-id', 'secrets-denied'])).code).toBe(0);
      const letters = await waitFor(
        async () => {
          const found = (await h.deadLetters()).filter((d) => d.runId === 'secrets-denied');
          return found.length === 2 ? found : undefined;
        },
        { what: 'both files of secrets-denied dead-lettered', timeoutMs: 60_000 },
      );
      for (const letter of letters) expect(letter).toMatchObject({ code: 'invalid_credentials', reason: expect.stringMatching(/InvalidAccessKeyId \(HTTP 403\)/) });
      // The transformer reads the previous manifest before its file worker reports failures (file.worker.ts), so these
      // reach the DLQ but send no file event, and nats-server < 2.10 sends no MSG_TERMINATED advisory: the run would wait
      // for FILE_DEADLINE_MS. End it with a cancel (a run that ends by itself first is fine too).
      await sluice(['cancel', 'secrets-denied', '--reason', 'S3 refused the key']);
      expect(['cancelled', 'failed', 'completed_with_failures']).toContain((await finalRecord('secrets-denied')).state);
      await h.services.get('capacity-manager')!.stop();
      await h.startService('capacity-manager');
      // The CLI's own S3 path, with the refused key: one line, the reason, no key.
      const out = join(dir, `${kind.name.replace(/\W+/g, '-')}.parquet`);
      const normalize = await sluice(['normalize', `s3://tlc-source/trip data/fhvhv_tripdata_2024-01.parquet`, out], envWith({ AWS_ACCESS_KEY_ID: wrongAccessKeyId }));
      expect(normalize.code).toBe(1);
      expect(normalize.out).toMatch(/^sluice normalize: .*: access_denied: HEAD .* failed: .*\(HTTP 403\)$/m);
    });

    it('connection errors: a wrong credential, a NATS_URL with credentials and no scheme, an S3_ENDPOINT with credentials', async () => {
      const wrong = await sluice(['status'], envWith({ ...withoutNatsAuth, ...kind.wrongEnv }));
      expect(wrong.code).toBe(1);
      expect(wrong.out).toMatch(new RegExp(`^sluice: cannot connect to NATS at nats://${hostPort}: .*Authorization Violation`, 'i'));

      // The issue's case: credentials in a URL with no scheme. With the right ones it connects (nats.js ignored them);
      // with a wrong password it fails, and the line names the host alone.
      const urlPassword = marker('urlPassword');
      secrets['password in NATS_URL'] = urlPassword;
      const badUrl = `sluice:${urlPassword}@${hostPort}`;
      const before = await busState();
      const refused = await sluice(['status'], envWith({ ...withoutNatsAuth, NATS_URL: badUrl }));
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(new RegExp(`^sluice: cannot connect to NATS at ${hostPort}: .*Authorization Violation`, 'i'));
      if (kind.schemelessUrl) {
        const ok = await sluice(['status', 'secrets-run'], envWith({ ...withoutNatsAuth, NATS_URL: kind.schemelessUrl(hostPort) }));
        expect(ok.out).toMatch(/run secrets-run \(incremental\)/);
      }
      // A service given the same URL: one line in its log, no credential.
      const scannerLog = join(h.logDir, 'scanner-bad-url.log');
      const scanner = startServiceProcess('scanner', { env: envWith({ ...withoutNatsAuth, NATS_URL: badUrl }), logFile: scannerLog });
      expect((await scanner.exited).code).toBe(1);
      const serviceLine = readFileSync(scannerLog, 'utf8').split('\n').find((l) => l.startsWith('sluice scanner:')) ?? '';
      expect(serviceLine).toMatch(new RegExp(`^sluice scanner: cannot connect to NATS at ${hostPort}: .*Authorization Violation`, 'i'));
      if (kind.name === 'user/password') {
        // The issue's line, as an operator sees it: in the CLI's error and in the service's log.
        const cliLine = refused.out.trim();
        const shown = [cliLine, serviceLine].filter((line) => line.includes(urlPassword)).length;
        const after = await busState();
        recordSecurityRow({
          area: 'secrets',
          scenario: 'NATS_URL `sluice:<password>@127.0.0.1:<port>` (credentials, no scheme), wrong password: `sluice status` and a service',
          expected: 'one error line each, naming the host and the reason, never the password',
          happened: `CLI: "${cliLine.replaceAll(urlPassword, '<PASSWORD>')}"; scanner log: "${serviceLine.replaceAll(urlPassword, '<PASSWORD>')}"; lines showing the password: ${shown}`,
          // what the refused clients could have changed: nothing published, nothing removed, no commit replaced
          lost: Math.max(0, before.events - after.events),
          duplicated: after.requests - before.requests,
          clobbered: [...before.manifests].filter(([k, v]) => after.manifests.get(k) !== v).length,
        });
        expect(shown).toBe(0);
      }
      const endpointLog = join(h.logDir, 'transformer-endpoint.log');
      const endpoint = `http://${s3.accessKeyId}:${endpointSecret}@${new URL(h.s3.endpoint).host}`;
      const transformer = startServiceProcess('transformer', { env: envWith({ S3_ENDPOINT: endpoint }), logFile: endpointLog });
      expect((await transformer.exited).code).toBe(2);
      expect(readFileSync(endpointLog, 'utf8')).toMatch(/S3_ENDPOINT: must not carry credentials/);
      const run = await sluice(['run', '--dry-run'], envWith({ S3_ENDPOINT: endpoint }));
      expect(run.code).toBe(0); // the CLI's run does not use S3: the scanner plans
    });

    it('every log line, message, KV entry, run report, manifest and CLI output is free of every secret', async () => {
      // Every message still in every stream (the KV bucket's stream and the advisories included).
      for await (const info of h.jsm.streams.list()) {
        const { first_seq: first, last_seq: last, messages } = info.state;
        for (let seq = first; messages > 0 && seq <= last; seq += 1) {
          const m = await h.jsm.streams.getMessage(info.config.name, { seq }).catch(() => undefined);
          if (!m) continue;
          corpus.add(`stream ${info.config.name} #${seq}`, `${m.subject} ${m.header?.toString() ?? ''} ${m.string()}`);
          corpus.counts.streamMessages += 1;
        }
      }
      const kv = await new Kvm(h.nc).open(KV.runsBucket);
      for await (const key of await kv.keys()) {
        corpus.add(`KV ${key}`, (await kv.get(key))?.string() ?? '');
        corpus.counts.kvEntries += 1;
      }
      for await (const object of h.sink.list('_sluice/')) {
        corpus.add(`sink ${object.key}`, Buffer.from((await h.sink.getBytes(object.key))!).toString('utf8'));
        corpus.counts.sinkObjects += 1;
      }
      for (const f of readdirSync(h.logDir)) {
        const text = readFileSync(join(h.logDir, f), 'utf8');
        corpus.add(`log ${f}`, text);
        corpus.counts.logLines += text.split('\n').filter(Boolean).length;
      }

      // What a run was expected to do, from its record and its events: nothing lost, nothing committed twice.
      const records = await Promise.all(runIds.map((id) => h.runs.get(id)));
      const files = records.flatMap((r) => Object.entries(r!.files).map(([key, f]) => ({ run: r!, key, ...f })));
      const lost = files.filter((f) => f.status !== 'done' && !f.failure?.reason && f.run.state !== 'cancelled').length;
      const commits = h.fileEvents.filter((e) => e.type === 'done' && !e.alreadyCommitted).map((e) => `${e.runId}/${e.sourceKey}`);
      const duplicated = commits.length - new Set(commits).size;
      const manifests = await h.manifests();
      const clobbered = manifests.filter((m) => !runIds.includes(m.runId)).length;

      const leaks = corpus.leaks(secrets);
      const c = corpus.counts;
      recordSecurityRow({
        area: 'secrets',
        scenario: `NATS ${kind.name} + S3 keys and session token: runs with a failure, dead letters, cancel, dry-run, CLI commands, S3 key refused, wrong credentials, NATS_URL with credentials and no scheme, S3_ENDPOINT with credentials`,
        expected: 'no secret (raw, base64, or inside any base64 blob) in any log line, bus message, stream message, KV entry, run report, manifest or CLI output',
        happened: `searched ${c.logLines} log lines, ${c.busMessages} bus messages, ${c.streamMessages} stream messages, ${c.kvEntries} KV entries, ${c.sinkObjects} sink objects, ${c.cliOutputs} CLI outputs for ${Object.keys(secrets).length} secrets: ${leaks.length === 0 ? 'none found' : `found ${leaks.join('; ')}`}`,
        lost,
        duplicated,
        clobbered,
      });
      // The search really covered logs (debug included), messages and reports.
      expect(c.logLines).toBeGreaterThan(40);
      expect(corpus.parts.some((p) => p.where.startsWith('log') && p.text.includes('"level":20'))).toBe(true);
      expect(c.busMessages).toBeGreaterThan(50);
      expect(c.streamMessages).toBeGreaterThan(10);
      expect(c.kvEntries).toBeGreaterThanOrEqual(runIds.length); // the bucket keeps the latest; the tap saw every put
      expect(corpus.parts.some((p) => p.where.startsWith('sink _sluice/runs/'))).toBe(true);
      expect(corpus.parts.some((p) => p.where.startsWith('sink _sluice/manifests/'))).toBe(true);
      expect(leaks).toEqual([]);
      expect({ lost, duplicated, clobbered }).toEqual({ lost: 0, duplicated: 0, clobbered: 0 });
    });
  });
}
