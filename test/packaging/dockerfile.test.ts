// The Dockerfile and .dockerignore, checked without a Docker engine: pinned Node 24 slim stages, a build that has what tsc
// needs, a runtime with production dependencies only, running as a non-root user an app this build produces.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions (continuation lines joined, comments dropped) grouped by FROM. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op.toUpperCase() === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ from, name, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.at(-1)!;
const stage = (name: string) => dockerfile.find((s) => s.name === name)!;
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);
/** `COPY [--from=x] a b dest` → { from, sources, dest } */
const copies = (s: Stage) =>
  ops(s, 'COPY').map((args) => {
    const parts = args.split(/\s+/);
    const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
    const paths = parts.filter((p) => !p.startsWith('--'));
    return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
  });

describe('Dockerfile', () => {
  it('is multi-stage, every stage on the same pinned Node 24 slim, the version the project runs its scripts on', () => {
    expect(dockerfile.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    // The `node` dev dependency is the runtime npm scripts use; the image runs exactly that version.
    const pinned = pkg.devDependencies.node as string;
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    for (const s of dockerfile) expect(s.from).toBe(`node:${pinned}-slim`);
    expect(pkg.engines.node).toMatch(/^>=24\./);
  });

  it('build stage: installs from the lockfile, copies what tsconfig.build.json compiles, runs `npm run build`', () => {
    const build = stage('build');
    const runs = ops(build, 'RUN');
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(runs.at(-1)).toBe('npm run build');
    const copied = copies(build).flatMap((c) => c.sources);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    const tsconfigBuild = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(copied).toContain(tsconfigBuild.extends.replace(/^\.\//, ''));
    expect(copied).toContain('tsconfig.build.json');
    for (const pattern of tsconfigBuild.include as string[]) expect(copied, pattern).toContain(pattern.split('/')[0]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toContain('tsconfig.build.json');
  });

  it('runtime: production dependencies only, the compiled dist, non-root, no npm install of its own', () => {
    expect(ops(stage('deps'), 'RUN').join(' ')).toMatch(/npm ci --omit=dev\b/);
    expect(ops(runtime, 'RUN')).toEqual([]);
    const fromStages = copies(runtime).filter((c) => c.from);
    expect(fromStages).toEqual([
      { from: 'deps', sources: ['/app/node_modules'], dest: './node_modules' },
      { from: 'build', sources: ['/app/dist'], dest: './dist' },
    ]);
    expect(ops(runtime, 'WORKDIR')).toEqual(['/app']);
    const user = runtime.instructions.findIndex((i) => i.op === 'USER');
    expect(runtime.instructions[user]?.args).toBe('node');
    // Nothing after USER runs or copies as root again.
    expect(runtime.instructions.slice(user + 1).filter((i) => ['RUN', 'COPY', 'ADD', 'USER'].includes(i.op))).toEqual([]);
  });

  it('the default command is the CLI entry point that `npm run build` produces; compose and ECS choose the app', () => {
    const [cmd] = ops(runtime, 'CMD');
    const argv = JSON.parse(cmd) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', 'dist/apps/cli/src/main.js']);
    expect(existsSync(join(ROOT, 'apps', 'cli', 'src', 'main.ts'))).toBe(true);
    expect(ops(runtime, 'ENTRYPOINT')).toEqual([]);
  });
});

describe('.dockerignore', () => {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('excludes everything but an allowlist, and never lets node_modules, dist or .git back in', () => {
    expect(lines[0]).toBe('*');
    const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const never of ['node_modules', 'dist', '.git', 'test', 'infra']) expect(allowed).not.toContain(never);
    expect(lines).toEqual(expect.arrayContaining(['**/node_modules', '**/dist']));
  });

  it('lets in every path the Dockerfile copies from the build context, and each of them exists', () => {
    const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    const fromContext = dockerfile.flatMap((s) => copies(s).filter((c) => !c.from).flatMap((c) => c.sources));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) {
      expect(allowed, source).toContain(source);
      expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
  });
});
