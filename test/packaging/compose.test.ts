// docker-compose.yml, checked without a Docker engine: every sluice service runs an app this build produces, with an
// environment its config schema accepts, pointing at services and buckets the file itself provides; the bus is
// authenticated (the init service's own command is run here, and a real nats-server is started with its output).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { capacityEnvSchema, cliEnvSchema, loadEnv, scannerEnvSchema, transformerEnvSchema } from '@sluice/config';
import { BUS_ROLES, inboxPrefixFor, type BusRole } from '@sluice/contracts';
import { appEntry, projectRoot, startNatsServer } from '@sluice/embedded';
import { publicKeyOfSeed, renderBusAuthorization, seedFileOf } from '@sluice/messaging';

const ROOT = join(__dirname, '..', '..');
/** Where the bus volumes are mounted in every container. */
const BUS_DIR = '/bus';
const run = promisify(execFile);
const APPS = { scanner: scannerEnvSchema, 'capacity-manager': capacityEnvSchema, transformer: transformerEnvSchema, cli: cliEnvSchema };
type App = keyof typeof APPS;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  stop_grace_period?: string;
  init?: boolean;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's variable interpolation: `${VAR:-default}`, `${VAR}`, `$$` → `$`; an unset variable without default is an error here. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z0-9_]+)(:-([^}]*))?\}/g, (match, name: string | undefined, _d, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const value = vars[name!] ?? fallback;
    if (value === undefined) throw new Error(`docker-compose.yml uses \${${name}} without a default`);
    return value;
  });
}

function loadCompose(vars: Record<string, string> = {}): Compose {
  const text = interpolate(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), vars);
  return parse(text, { merge: true }) as Compose;
}

const argv = (service: ComposeService) => [service.entrypoint ?? [], service.command ?? []].flatMap((v) => (Array.isArray(v) ? v : [v]));
const stringEnv = (service: ComposeService) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));

function sluiceServices(compose: Compose): [string, ComposeService, App][] {
  return Object.entries(compose.services)
    .filter(([, s]) => s.image === 'sluice:local')
    .map(([name, s]) => {
      const match = /^dist\/apps\/([a-z-]+)\/src\/main\.js$/.exec(argv(s)[1] ?? '');
      return [name, s, match?.[1] as App];
    });
}

/** Where `npm run build` puts an app's entry point: tsconfig.build.json's outDir/rootDir mapping of apps/<app>/src/main.ts. */
function builtEntryPoint(app: string): string {
  const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
  const options = { ...base.compilerOptions, ...build.compilerOptions };
  expect(build.include).toContain('apps/**/*.ts');
  const source = join('apps', app, 'src', 'main.ts');
  return join(options.outDir, relative(options.rootDir, source)).replace(/\.ts$/, '.js');
}

describe('docker-compose.yml', () => {
  const compose = loadCompose();

  it('has NATS, MinIO, the bucket setup, the bus keys setup, and the sluice services built from the Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bus-auth', 'capacity-manager', 'cli', 'minio', 'minio-buckets', 'nats', 'scanner']);
    expect(sluiceServices(compose).map(([name, , app]) => [name, app])).toEqual([
      ['bus-auth', 'cli'],
      ['scanner', 'scanner'],
      ['capacity-manager', 'capacity-manager'],
      ['cli', 'cli'],
    ]);
    for (const [, service] of sluiceServices(compose)) {
      expect(service.build).toBe('.');
      expect(service.init).toBe(true);
    }
  });

  it('every sluice command runs `node <entry point>` that `npm run build` produces from an existing app', () => {
    for (const [name, service, app] of sluiceServices(compose)) {
      expect(app, name).toBeDefined();
      const [node, entry] = argv(service);
      expect(node).toBe('node');
      expect(existsSync(join(ROOT, 'apps', app, 'src', 'main.ts')), entry).toBe(true);
      expect(entry).toBe(builtEntryPoint(app));
    }
  });

  it("every environment key is one its service reads, and the service's config schema accepts the environment", () => {
    for (const [name, service, app] of sluiceServices(compose)) {
      const env = stringEnv(service);
      // Local workers are child processes of the capacity manager: they inherit its environment and read it as transformers.
      const readers: App[] = app === 'capacity-manager' && env.CAPACITY_BACKEND === 'local' ? ['capacity-manager', 'transformer'] : [app];
      const known = new Set(readers.flatMap((r) => Object.keys(APPS[r].shape)));
      expect(Object.keys(env).filter((k) => !known.has(k)), `${name}: keys no reader knows`).toEqual([]);
      for (const reader of readers) expect(() => loadEnv(APPS[reader], env), `${name} as ${reader}`).not.toThrow();
    }
  });

  it('the same holds with an s3:// source in MinIO, and every bucket a service uses is created', () => {
    const withMirror = loadCompose({ SOURCE_URL: 's3://tlc-source/trip data/' });
    const setup = argv(withMirror.services['minio-buckets']).join(' ');
    const created = [...setup.matchAll(/mc mb --ignore-existing local\/([a-z0-9.-]+)/g)].map((m) => m[1]);
    for (const [name, service, app] of sluiceServices(withMirror)) {
      const env = stringEnv(service);
      expect(() => loadEnv(APPS[app === 'capacity-manager' ? 'transformer' : app], env), name).not.toThrow();
      for (const key of ['SINK_URL', 'SOURCE_URL'] as const) {
        const bucket = /^s3:\/\/([^/]+)/.exec(env[key] ?? '')?.[1];
        if (bucket) expect(created, `${name} ${key}`).toContain(bucket);
      }
      if (env.SINK_URL) expect(service.depends_on?.['minio-buckets']).toEqual({ condition: 'service_completed_successfully' });
    }
    expect(created).toEqual(expect.arrayContaining(['sluice-sink', 'tlc-source']));
  });

  it('services reach NATS and MinIO by their compose names, with MinIO’s own credentials', () => {
    const minio = compose.services.minio;
    for (const [name, service] of sluiceServices(compose)) {
      const env = stringEnv(service);
      if (name === 'bus-auth') {
        expect(env, 'bus-auth only writes files').toEqual({});
        continue;
      }
      expect(new URL(env.NATS_URL).hostname, name).toBe('nats');
      expect(new URL(env.NATS_URL).port).toBe('4222');
      expect(service.depends_on?.nats).toEqual({ condition: 'service_healthy' });
      if (env.S3_ENDPOINT) {
        expect(new URL(env.S3_ENDPOINT).hostname).toBe('minio');
        expect(env.AWS_ACCESS_KEY_ID).toBe(String(minio.environment!.MINIO_ROOT_USER));
        expect(env.AWS_SECRET_ACCESS_KEY).toBe(String(minio.environment!.MINIO_ROOT_PASSWORD));
        expect(env.S3_FORCE_PATH_STYLE).toBe('true');
      }
      expect(env.LOG_FORMAT).toBe('json');
    }
  });

  it('NATS runs JetStream with its store on a named volume; MinIO keeps its data on one too', () => {
    const nats = compose.services.nats;
    expect(nats.image).toMatch(/^nats:2\.10/);
    const command = argv(nats);
    expect(command).toContain('--jetstream');
    const storeDir = command[command.indexOf('--store_dir') + 1];
    expect(nats.volumes).toContain(`nats-data:${storeDir}`);
    expect(compose.services.minio.volumes).toEqual(['minio-data:/data']);
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['minio-data', 'nats-data', ...BUS_ROLES.map((r) => `bus-${r}`), 'bus-config'].sort());
  });

  it('NATS loads the authorization bus-auth writes (read-only), starts after it, and listens on 127.0.0.1 only', () => {
    const nats = compose.services.nats as ComposeService & { ports?: string[] };
    const command = argv(nats);
    expect(command[command.indexOf('--config') + 1]).toBe(`${BUS_DIR}/nats.conf`);
    expect(nats.volumes).toContain(`bus-config:${BUS_DIR}:ro`);
    expect(nats.depends_on?.['bus-auth']).toEqual({ condition: 'service_completed_successfully' });
    expect(nats.ports).toEqual(['127.0.0.1:4222:4222']);
    for (const [name, service] of Object.entries(compose.services) as [string, ComposeService & { ports?: string[] }][]) {
      for (const port of service.ports ?? []) if (/(^|:)4222$/.test(port)) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('bus-auth writes every role seed into that role’s own volume and hands them to the image’s user', () => {
    const init = compose.services['bus-auth'];
    expect(argv(init).slice(2)).toEqual(['bus-auth', 'init', '--dir', BUS_DIR, '--owner', '1000:1000']);
    expect(init.volumes).toEqual([`bus-config:${BUS_DIR}`, ...BUS_ROLES.map((r) => `bus-${r}:${BUS_DIR}/${r}`)]);
    for (const role of BUS_ROLES) expect(seedFileOf(BUS_DIR, role).startsWith(`${BUS_DIR}/${role}/`)).toBe(true);
  });

  it('every service connects as its own role, from a seed in its own volume mounted read-only; local workers as transformers', () => {
    const roles: Record<string, BusRole> = { scanner: 'scanner', 'capacity-manager': 'capacity-manager', cli: 'operator' };
    for (const [name, service] of sluiceServices(compose).filter(([n]) => n !== 'bus-auth')) {
      const role = roles[name];
      const env = stringEnv(service);
      expect(env.NATS_NKEY_SEED_FILE, name).toBe(seedFileOf(BUS_DIR, role));
      for (const key of ['NATS_USER', 'NATS_PASSWORD', 'NATS_TOKEN', 'NATS_NKEY_SEED'] as const) expect(env[key], `${name} ${key}`).toBeUndefined();
      const mounted = [role, ...(env.WORKER_NATS_NKEY_SEED_FILE ? (['transformer'] as const) : [])];
      expect(service.volumes, name).toEqual(mounted.map((r) => `bus-${r}:${BUS_DIR}/${r}:ro`));
    }
    expect(stringEnv(compose.services['capacity-manager']).WORKER_NATS_NKEY_SEED_FILE).toBe(seedFileOf(BUS_DIR, 'transformer'));
  });

  it('bus-auth runs on every `up`: a second run keeps every seed and the config, and prints no seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-compose-bus-'));
    const init = () => run(process.execPath, [appEntry('cli'), 'bus-auth', 'init', '--dir', dir], { cwd: projectRoot() });
    const seeds = () => BUS_ROLES.map((r) => readFileSync(seedFileOf(dir, r), 'utf8'));
    const first = await init();
    const before = { seeds: seeds(), config: readFileSync(join(dir, 'nats.conf'), 'utf8') };
    const second = await init();
    expect(seeds()).toEqual(before.seeds);
    expect(readFileSync(join(dir, 'nats.conf'), 'utf8')).toBe(before.config);
    expect(first.stdout).toContain(`${BUS_ROLES.length} seed(s) generated, 0 kept`);
    expect(second.stdout).toContain(`0 seed(s) generated, ${BUS_ROLES.length} kept`);
    for (const role of BUS_ROLES) expect(statSync(seedFileOf(dir, role)).mode & 0o777, role).toBe(0o600);
    expect(first.stdout + second.stdout).not.toMatch(/\bSU[A-Z2-7]{50,}/);
    expect(second.stdout).toContain('aws secretsmanager create-secret --name sluice/nats/scanner --secret-string file://');
  });

  it("bus-auth's command (this build) writes an authorization from the permissions module that refuses anonymous clients and admits each role", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-compose-bus-'));
    // The same arguments, with the volume root replaced and without --owner (this test does not run as root).
    const args = argv(compose.services['bus-auth']).slice(2).map((a) => (a === BUS_DIR ? dir : a));
    await run(process.execPath, [appEntry('cli'), ...args.slice(0, args.indexOf('--owner'))], { cwd: projectRoot() });
    const keys = Object.fromEntries(BUS_ROLES.map((r) => [r, publicKeyOfSeed(readFileSync(seedFileOf(dir, r), 'utf8'), r)])) as Record<BusRole, string>;
    expect(readFileSync(join(dir, 'nats.conf'), 'utf8')).toBe(renderBusAuthorization(keys));
    const nats = await startNatsServer({ args: ['-c', join(dir, 'nats.conf')] });
    try {
      await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
      for (const role of BUS_ROLES) {
        const seed = new TextEncoder().encode(readFileSync(seedFileOf(dir, role), 'utf8').trim());
        const nc = await connect({ servers: nats.url, reconnect: false, authenticator: nkeyAuthenticator(seed), inboxPrefix: inboxPrefixFor(keys[role]) });
        await nc.flush();
        await nc.close();
      }
    } finally {
      await nats.stop();
    }
  });

  it('the capacity manager manages local workers and outlives their drain on `docker compose stop`', () => {
    const manager = compose.services['capacity-manager'];
    const env = stringEnv(manager);
    expect(env.CAPACITY_BACKEND).toBe('local');
    const grace = Number(/^(\d+)s$/.exec(manager.stop_grace_period ?? '')?.[1]) * 1000;
    expect(Number(env.DRAIN_TIMEOUT_MS)).toBeLessThan(Number(env.WORKER_KILL_AFTER_MS));
    expect(Number(env.WORKER_KILL_AFTER_MS)).toBeLessThan(grace);
  });

  it('the CLI is on demand only (a profile), so `docker compose up` does not run it', () => {
    expect(compose.services.cli.profiles).toEqual(['cli']);
    for (const [name, service] of Object.entries(compose.services)) if (name !== 'cli') expect(service.profiles, name).toBeUndefined();
  });
});
