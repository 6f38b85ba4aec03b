// Every import of every source file under apps/ and libs/, found and resolved by the TypeScript compiler itself
// (its import scanner and its module resolution with the repo's tsconfig.json, so `@sluice/*` paths, baseUrl and
// relative paths resolve as tsc resolves them). The rules judge this graph; nothing here decides what is allowed.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A package of the repo: `apps/<name>` or `libs/<name>`. */
export interface PackageRef {
  kind: 'app' | 'lib';
  name: string;
}

/** Where an import leads: a file of the repo (in a package or elsewhere, e.g. test/support), or an npm/node module. */
export type ImportTarget =
  | { kind: 'repo'; path: string; package: PackageRef | null }
  | { kind: 'external'; module: string };

export interface ImportEdge {
  /** The importing file, relative to the root, with `/` separators. */
  from: string;
  line: number;
  /** The specifier as written: `@sluice/contracts`, `../quality`, `@nestjs/common`, `node:fs`. */
  specifier: string;
  target: ImportTarget;
}

export interface SourceFile {
  path: string;
  package: PackageRef;
  /** A test (what tsconfig.build.json leaves out of the build: `*.spec.ts`, `__tests__/`) rather than production code. */
  isTest: boolean;
}

export interface ImportGraph {
  files: SourceFile[];
  imports: ImportEdge[];
}

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const toPosix = (path: string) => path.split(sep).join('/');

/** `apps/<name>/…` or `libs/<name>/…` → that package; anything else (test/, bench/, node_modules) → null. */
export function packageOf(path: string): PackageRef | null {
  const match = /^(apps|libs)\/([^/]+)\//.exec(path);
  if (!match) return null;
  return { kind: match[1] === 'apps' ? 'app' : 'lib', name: match[2] };
}

export const isTestFile = (path: string) => /\.spec\.[cm]?[jt]s$/.test(path) || path.includes('/__tests__/');

/** The npm package (or node builtin) a bare specifier names: `@aws-sdk/client-s3/dist/x` → `@aws-sdk/client-s3`. */
export function moduleName(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The packages under apps/ and libs/ that exist (a directory each). */
export function listPackages(root: string): PackageRef[] {
  return (['apps', 'libs'] as const).flatMap((dir) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({ kind: dir === 'apps' ? ('app' as const) : ('lib' as const), name: entry.name })),
  );
}

function sourceFilesUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => toPosix(relative(root, join(entry.parentPath, entry.name))))
    .filter((path) => !path.split('/').includes('node_modules'));
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath).options;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The import graph of every source file under apps/ and libs/ of the repo at `root`. */
export function buildImportGraph(root: string): ImportGraph {
  const absRoot = resolve(root);
  const options = compilerOptions(absRoot);
  const host = ts.sys;
  const files: SourceFile[] = [];
  const imports: ImportEdge[] = [];

  const targetOf = (specifier: string, fromAbs: string): ImportTarget => {
    // A dynamic import() in a CommonJS file resolves as ESM under node16; try both modes, as either would load.
    const resolved = [ts.ModuleKind.CommonJS, ts.ModuleKind.ESNext]
      .map((mode) => ts.resolveModuleName(specifier, fromAbs, options, host, undefined, undefined, mode as ts.ResolutionMode).resolvedModule)
      .find((module) => module !== undefined);
    let path: string | undefined;
    if (resolved && !resolved.isExternalLibraryImport) path = toPosix(relative(absRoot, resolved.resolvedFileName));
    else if (!resolved && specifier.startsWith('.')) path = toPosix(relative(absRoot, resolve(dirname(fromAbs), specifier)));
    // A path outside the repo (`../…`) belongs to no package, and so breaks a rule as test/ or bench/ would.
    if (path !== undefined) return { kind: 'repo', path, package: packageOf(path) };
    return { kind: 'external', module: moduleName(specifier) };
  };

  for (const path of [...sourceFilesUnder(absRoot, 'apps'), ...sourceFilesUnder(absRoot, 'libs')]) {
    const pkg = packageOf(path);
    if (!pkg) continue;
    files.push({ path, package: pkg, isTest: isTestFile(path) });
    const fromAbs = join(absRoot, path);
    const text = readFileSync(fromAbs, 'utf8');
    // readImportFiles + detectJavaScriptImports: import/export … from, import type, import x = require(),
    // import('…') (calls and type positions), require('…'), and module augmentations.
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      imports.push({ from: path, line: lineAt(text, ref.pos), specifier: ref.fileName, target: targetOf(ref.fileName, fromAbs) });
    }
  }
  return { files, imports };
}
