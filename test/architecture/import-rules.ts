// The allowed import graph (STYLE.md: apps → libs, libs/contracts imports nothing of ours, the Parquet engine has no
// Nest), judged one import at a time. A rule applies to tests as to production code, with one widening: a test file
// (`*.spec.ts`, `__tests__/`) may also import the shared test helpers under test/support/. Never an app, from a library.
import type { ImportEdge, ImportGraph, PackageRef, SourceFile } from './import-graph';

export type RuleId =
  | 'app-imports-app'
  | 'lib-imports-app'
  | 'normalize-stays-pure'
  | 'contracts-imports-nothing-of-ours'
  | 'library-by-alias'
  | 'run-writer-scanner-only'
  | 'packages-only'
  | 'no-library-cycle';

export const RULES: Record<RuleId, string> = {
  'app-imports-app': 'an app never imports another app',
  'lib-imports-app': 'a library never imports an app',
  'normalize-stays-pure':
    'libs/normalize (the Parquet engine) imports nothing of Nest, NATS, AWS or CDK, and of our libraries only @sluice/contracts',
  'contracts-imports-nothing-of-ours': 'libs/contracts imports nothing of ours (no @sluice/*, nothing outside libs/contracts)',
  'library-by-alias':
    'another library is imported by its alias @sluice/<name> (or a sub-entry point listed in import-rules.ts), never by a path into it',
  'run-writer-scanner-only':
    'only apps/scanner imports the run writer (@sluice/run-state/writer); the transformer and the CLI read runs with @sluice/run-state',
  'packages-only':
    'code under apps/ and libs/ imports no other file of the repo (test/, bench/, infra/, the root); a test may import test/support/',
  'no-library-cycle': 'the library dependency graph has no cycle',
};

export interface Violation {
  rule: RuleId;
  file: string;
  line: number;
  specifier: string;
  /** What was imported, said for the reader: `apps/transformer`, `@nestjs/common`, `test/faults/x.ts`. */
  detail: string;
}

/** Packages libs/normalize must not import: the frameworks and services the engine stays free of. */
const NOT_FOR_NORMALIZE = [/^@nestjs\//, /^nats$/, /^@nats-io\//, /^@aws-sdk\//, /^aws-sdk$/, /^aws-cdk-lib$/, /^constructs$/];
const NORMALIZE_MAY_IMPORT_LIBS = ['contracts', 'normalize'];
/** Entry points a library has besides its index, each with its own tsconfig path: `@sluice/<name>/<entry>`. */
const SUB_ENTRY_POINTS: Record<string, string[]> = {
  normalize: ['synthetic'], // test, bench and demo data, kept out of the engine's API
  'run-state': ['writer'], // run records and the active-run lock written: the scanner's alone (run-writer-scanner-only)
  messaging: ['nest'], // the Nest transport, for the services: the CLI needs the bus without Nest
  lifecycle: ['compile-cache'], // the entry points' first import, before anything else loads
};
/** The only packages besides libs/run-state that may reach its writer. */
const RUN_WRITER_IMPORTERS = ['apps/scanner'];
const RUN_WRITER = 'libs/run-state/src/writer/';
const libraryAliases = (name: string) => [`@sluice/${name}`, ...(SUB_ENTRY_POINTS[name] ?? []).map((e) => `@sluice/${name}/${e}`)];

const label = (pkg: PackageRef) => `${pkg.kind === 'app' ? 'apps' : 'libs'}/${pkg.name}`;
const samePackage = (a: PackageRef, b: PackageRef) => a.kind === b.kind && a.name === b.name;

function violationsOf(file: SourceFile, edge: ImportEdge): Violation[] {
  const found: Violation[] = [];
  const add = (rule: RuleId, detail: string) => found.push({ rule, file: edge.from, line: edge.line, specifier: edge.specifier, detail });
  const from = file.package;
  const { target } = edge;

  if (target.kind === 'external') {
    if (label(from) === 'libs/normalize' && NOT_FOR_NORMALIZE.some((re) => re.test(target.module))) add('normalize-stays-pure', target.module);
    if (label(from) === 'libs/contracts' && edge.specifier.startsWith('@sluice/')) {
      add('contracts-imports-nothing-of-ours', edge.specifier); // an alias that does not resolve is still ours
    }
    return found;
  }

  const to = target.package;
  if (to === null) {
    const testHelper = file.isTest && target.path.startsWith('test/support/');
    if (!testHelper) add('packages-only', target.path);
    if (label(from) === 'libs/contracts') add('contracts-imports-nothing-of-ours', target.path);
    return found;
  }
  if (samePackage(from, to)) {
    if (label(from) === 'libs/contracts' && edge.specifier.startsWith('@sluice/')) add('contracts-imports-nothing-of-ours', edge.specifier);
    return found;
  }
  if (from.kind === 'app' && to.kind === 'app') add('app-imports-app', label(to));
  if (from.kind === 'lib' && to.kind === 'app') add('lib-imports-app', label(to));
  if (to.kind === 'lib' && !libraryAliases(to.name).includes(edge.specifier)) {
    add('library-by-alias', `${target.path} (use @sluice/${to.name})`);
  }
  if (target.path.startsWith(RUN_WRITER) && !RUN_WRITER_IMPORTERS.includes(label(from))) add('run-writer-scanner-only', target.path);
  if (label(from) === 'libs/normalize' && to.kind === 'lib' && !NORMALIZE_MAY_IMPORT_LIBS.includes(to.name)) {
    add('normalize-stays-pure', `@sluice/${to.name}`);
  }
  if (label(from) === 'libs/contracts') add('contracts-imports-nothing-of-ours', label(to));
  return found;
}

/** Every import of the graph that breaks a rule, one entry per (import, rule). */
export function importViolations(graph: ImportGraph): Violation[] {
  const files = new Map(graph.files.map((file) => [file.path, file]));
  return graph.imports.flatMap((edge) => {
    const file = files.get(edge.from);
    return file ? violationsOf(file, edge) : [];
  });
}

/** One line a violation, for a failure message: where, what, and the rule it breaks. */
export function describeViolation(v: Violation): string {
  return `${v.file}:${v.line} imports '${v.specifier}' (${v.detail}): ${RULES[v.rule]} [${v.rule}]`;
}
