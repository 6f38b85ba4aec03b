// The production dependency tree — what `npm ci --omit=dev` installs, and so what the image's deps stage copies —
// holds none of s3rver, busboy, dicer (CVE-2022-24434) or fast-xml-parser < 4 (GHSA-mpg4-rc92-vx8v): only the demo
// and the tests need s3rver. Proven three ways: the lockfile, `npm ls --omit=dev`, and a real production install
// (from the npm cache, offline) in which every app still starts and `sluice demo` says in one line what it needs.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const exec = promisify(execFile);
const DEV_ONLY = ['s3rver', 'busboy', 'dicer'];

/** A package's name from its lockfile path: `node_modules/a/node_modules/@s/b` → `@s/b`. */
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
const major = (version: string) => Number(version.split('.')[0]);

/** Packages (name, version) that are not dev-only, or are dev-only too: problems named for the failure message. */
function forbidden(packages: Array<{ name: string; version: string }>): string[] {
  return packages
    .filter(({ name, version }) => DEV_ONLY.includes(name) || (name === 'fast-xml-parser' && major(version) < 4))
    .map(({ name, version }) => `${name}@${version}`);
}

describe('the production dependency tree', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; dev?: boolean; link?: boolean }>;
  };

  it('package-lock.json: no entry outside dev is s3rver, busboy, dicer or fast-xml-parser < 4 (and they are there, as dev)', () => {
    const entries = Object.entries(lock.packages).filter(([path]) => path.includes('node_modules/'));
    const production = entries.filter(([, p]) => p.dev !== true).map(([path, p]) => ({ name: nameOf(path), version: p.version ?? '' }));
    expect(production.length).toBeGreaterThan(50);
    expect(forbidden(production)).toEqual([]);
    // The check has something to find: the dev tree does hold them.
    const dev = entries.filter(([, p]) => p.dev === true).map(([path, p]) => ({ name: nameOf(path), version: p.version ?? '' }));
    expect(forbidden(dev).map((p) => p.split('@')[0]).sort()).toEqual(['busboy', 'dicer', 'fast-xml-parser', 's3rver']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies.s3rver).toBeUndefined();
    expect(pkg.devDependencies.s3rver).toBeDefined();
  });

  it('`npm ls --omit=dev --all`: the installed production tree has none of them', async () => {
    const { stdout } = await exec('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).catch(
      (e: { stdout: string }) => e, // extraneous packages make npm ls exit 1; the tree is still printed
    );
    type Node = { version?: string; dependencies?: Record<string, Node> };
    const found: Array<{ name: string; version: string }> = [];
    const walk = (deps: Record<string, Node> = {}) => {
      for (const [name, node] of Object.entries(deps)) {
        found.push({ name, version: node.version ?? '' });
        walk(node.dependencies);
      }
    };
    walk((JSON.parse(stdout) as Node).dependencies);
    expect(found.length).toBeGreaterThan(50);
    expect(forbidden(found)).toEqual([]);
  });

  it("the Dockerfile's deps stage installs with --omit=dev, and the runtime takes node_modules from it alone", () => {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const stages = text.split(/^FROM\s+/m).slice(1);
    const deps = stages.find((s) => /^\S+\s+AS\s+deps\b/i.test(s))!;
    expect(deps).toMatch(/^RUN npm ci --omit=dev\b/m);
    const runtime = stages.at(-1)!;
    const nodeModules = runtime.split('\n').filter((l) => /^COPY\b.*node_modules/.test(l));
    expect(nodeModules).toEqual(['COPY --from=deps /app/node_modules ./node_modules']);
  });
});

describe('a production install (npm ci --omit=dev, offline from the npm cache)', () => {
  let dir: string;
  const app = (name: string) => join(dir, 'dist', 'apps', name, 'src', 'main.js');
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    exec(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-prod-'));
    for (const f of ['package.json', 'package-lock.json']) writeFileSync(join(dir, f), readFileSync(join(ROOT, f)));
    // What the image holds: production node_modules, dist and package.json (no libs/, no child scripts).
    execFileSync('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'pipe' });
    if (!existsSync(join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'))) throw new Error('run `npm run build` first');
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds none of s3rver, busboy, dicer or fast-xml-parser < 4 on disk', () => {
    const installed: Array<{ name: string; version: string }> = [];
    const walk = (nodeModules: string) => {
      if (!existsSync(nodeModules)) return;
      for (const entry of readdirSync(nodeModules)) {
        const paths = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((e) => join(nodeModules, entry, e)) : [join(nodeModules, entry)];
        for (const path of paths) {
          const manifest = join(path, 'package.json');
          if (!existsSync(manifest)) continue;
          const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string };
          installed.push({ name, version });
          walk(join(path, 'node_modules'));
        }
      }
    };
    walk(join(dir, 'node_modules'));
    expect(installed.length).toBeGreaterThan(50);
    expect(forbidden(installed)).toEqual([]);
  });

  it('every app loads without the development dependencies: the CLI answers --help, each service gets as far as NATS', async () => {
    const help = await run([app('cli'), '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: sluice/);
    const env = { NATS_URL: 'nats://127.0.0.1:1', SINK_URL: `file://${dir}/sink`, LOG_FORMAT: 'json', HTTP_PORT: '0' };
    for (const name of ['scanner', 'capacity-manager', 'transformer']) {
      const r = await run([app(name)], env);
      expect(r.stderr, name).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
      expect(r.stderr, name).toMatch(new RegExp(`sluice ${name}: cannot connect to NATS at nats://127\\.0\\.0\\.1:1`));
      expect(r.code, name).toBe(1);
    }
  });

  it('`sluice demo` stops with one clear line instead of a stack trace', async () => {
    const r = await run([app('cli'), 'demo', '--dir', join(dir, 'demo')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('sluice: the demo needs the development dependencies: run it from a checkout with `npm run demo`\n');
  });
});
