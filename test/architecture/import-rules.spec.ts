// The checker on small repos written to a temp dir: a clean tree passes, and each rule catches the import that breaks
// it — written every way an import can be (relative, alias, baseUrl path, import type, import(), require).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImportGraph } from './import-graph';
import { describeViolation, importViolations, type RuleId } from './import-rules';
import { libraryCycles } from './library-cycles';
import { architectureDiagrams, diagramMismatch } from './readme-diagram';

const LIBS = ['contracts', 'storage', 'sources', 'normalize', 'run-state', 'x', 'y', 'z'];

/** A repo that keeps every rule: two apps over libraries, with a spec that uses test/support. */
const CLEAN: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'node16',
      moduleResolution: 'node16',
      baseUrl: '.',
      paths: {
        ...Object.fromEntries(LIBS.map((lib) => [`@sluice/${lib}`, [`libs/${lib}/src`]])),
        '@sluice/normalize/synthetic': ['libs/normalize/src/synthetic'],
        '@sluice/storage/internal': ['libs/storage/src/internal'],
        '@sluice/run-state/writer': ['libs/run-state/src/writer'],
      },
    },
  }),
  'apps/one/src/main.ts': "import { store } from '@sluice/storage';\nimport { helper } from './helper';\nexport const one = [store, helper];\n",
  'apps/one/src/helper.ts': "import type { Subject } from '@sluice/contracts';\nexport const helper: Subject = 'a';\n",
  'apps/two/src/two.ts': "import { Injectable } from '@nestjs/common';\nexport const two = Injectable;\n",
  'libs/contracts/src/index.ts': "export * from './subjects';\nimport { z } from 'zod';\nexport const schema = z;\n",
  'libs/contracts/src/subjects.ts': "export type Subject = 'a' | 'b';\n",
  'libs/storage/src/index.ts': "import type { Subject } from '@sluice/contracts';\nimport { S3Client } from '@aws-sdk/client-s3';\nexport const store = [S3Client] as unknown as Subject;\n",
  'libs/storage/src/store.spec.ts': "import { waitFor } from '../../../test/support/wait-for';\nimport { store } from './index';\nexport const t = [waitFor, store];\n",
  'libs/sources/src/index.ts': "export { store as source } from '@sluice/storage';\n",
  'libs/normalize/src/index.ts': "import { tableFromIPC } from 'apache-arrow';\nimport type { Subject } from '@sluice/contracts';\nexport const n = [tableFromIPC] as unknown as Subject;\n",
  'libs/normalize/src/synthetic/index.ts': 'export const generate = 1;\n',
  'apps/two/src/demo.ts': "import { generate } from '@sluice/normalize/synthetic';\nexport const demo = generate;\n",
  'libs/x/src/index.ts': "export const x = 1;\n",
  'libs/y/src/index.ts': "export { x } from '@sluice/x';\n",
  'libs/z/src/index.ts': "export { x } from '@sluice/y';\n",
  'test/support/wait-for.ts': 'export const waitFor = 1;\n',
  'bench/run.ts': 'export const bench = 1;\n',
};

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** The clean repo with `files` added or replaced, on disk. */
function repo(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-arch-'));
  roots.push(root);
  for (const [path, text] of Object.entries({ ...CLEAN, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** [rule, file:line, specifier] of each import violation, sorted. */
function broken(root: string): Array<[RuleId, string, string]> {
  return importViolations(buildImportGraph(root))
    .map((v): [RuleId, string, string] => [v.rule, `${v.file}:${v.line}`, v.specifier])
    .sort((a, b) => a.join().localeCompare(b.join()));
}

describe('the import rules', () => {
  it('pass a tree that keeps them (aliases, a sub-entry point, own files, packages, a spec using test/support)', () => {
    const root = repo();
    const graph = buildImportGraph(root);
    expect(graph.files).toHaveLength(14);
    expect(importViolations(graph)).toEqual([]);
    expect(libraryCycles(graph)).toEqual([]);
  });

  it('app-imports-app: by relative path, dynamic import() and a baseUrl path', () => {
    const root = repo({
      'apps/one/src/main.ts':
        "import { two } from '../../two/src/two';\nconst later = import('../../two/src/two');\nimport 'apps/two/src/two';\nexport const one = [two, later];\n",
    });
    expect(broken(root)).toEqual([
      ['app-imports-app', 'apps/one/src/main.ts:1', '../../two/src/two'],
      ['app-imports-app', 'apps/one/src/main.ts:2', '../../two/src/two'],
      ['app-imports-app', 'apps/one/src/main.ts:3', 'apps/two/src/two'],
    ]);
  });

  it('lib-imports-app: by import type, and from a spec file by require()', () => {
    const root = repo({
      'libs/storage/src/uses-app.ts': "import type { helper } from '../../../apps/one/src/helper';\nexport type H = typeof helper;\n",
      'libs/storage/src/store.spec.ts': "const main = require('../../../apps/one/src/main');\nexport const t = main;\n",
    });
    expect(broken(root)).toEqual([
      ['lib-imports-app', 'libs/storage/src/store.spec.ts:1', '../../../apps/one/src/main'],
      ['lib-imports-app', 'libs/storage/src/uses-app.ts:1', '../../../apps/one/src/helper'],
    ]);
  });

  it('normalize-stays-pure: Nest, NATS, AWS, CDK and our libraries other than contracts', () => {
    const root = repo({
      'libs/normalize/src/engine.ts': [
        "import { Injectable } from '@nestjs/common';",
        "import type { NatsConnection } from '@nats-io/transport-node';",
        "const s3 = require('@aws-sdk/client-s3');",
        "import { Stack } from 'aws-cdk-lib';",
        "import { source } from '@sluice/sources';",
        "const store = import('@sluice/storage');",
        "import { x } from '@sluice/x';",
        "import { tableFromIPC } from 'apache-arrow';",
        "import type { Subject } from '@sluice/contracts';",
        'export const e = [Injectable, s3, Stack, source, store, x, tableFromIPC];',
        'export type T = NatsConnection | Subject;',
      ].join('\n'),
    });
    expect(broken(root)).toEqual([
      ['normalize-stays-pure', 'libs/normalize/src/engine.ts:1', '@nestjs/common'],
      ['normalize-stays-pure', 'libs/normalize/src/engine.ts:2', '@nats-io/transport-node'],
      ['normalize-stays-pure', 'libs/normalize/src/engine.ts:3', '@aws-sdk/client-s3'],
      ['normalize-stays-pure', 'libs/normalize/src/engine.ts:4', 'aws-cdk-lib'],
      ['normalize-stays-pure', 'libs/normalize/src/engine.ts:5', '@sluice/sources'],
      ['normalize-stays-pure', 'libs/normalize/src/engine.ts:6', '@sluice/storage'],
      ['normalize-stays-pure', 'libs/normalize/src/engine.ts:7', '@sluice/x'],
    ]);
  });

  it('contracts-imports-nothing-of-ours: an alias (even one that does not resolve), a path out of libs/contracts, itself by alias', () => {
    const root = repo({
      'libs/contracts/src/index.ts': [
        "export * from './subjects';",
        "export { store } from '@sluice/storage';",
        "import type { Missing } from '@sluice/nowhere';",
        "import { x } from '../../x/src/index';",
        "import type { Subject } from '@sluice/contracts';",
        "import { waitFor } from '../../../test/support/wait-for';",
        'export const c = [x, waitFor];',
        'export type C = Missing | Subject;',
      ].join('\n'),
    });
    expect(broken(root)).toEqual([
      ['contracts-imports-nothing-of-ours', 'libs/contracts/src/index.ts:2', '@sluice/storage'],
      ['contracts-imports-nothing-of-ours', 'libs/contracts/src/index.ts:3', '@sluice/nowhere'],
      ['contracts-imports-nothing-of-ours', 'libs/contracts/src/index.ts:4', '../../x/src/index'],
      ['contracts-imports-nothing-of-ours', 'libs/contracts/src/index.ts:5', '@sluice/contracts'],
      ['contracts-imports-nothing-of-ours', 'libs/contracts/src/index.ts:6', '../../../test/support/wait-for'],
      ['library-by-alias', 'libs/contracts/src/index.ts:4', '../../x/src/index'],
      ['packages-only', 'libs/contracts/src/index.ts:6', '../../../test/support/wait-for'],
    ]);
  });

  it('library-by-alias: a relative or baseUrl path into another library, from a library or an app', () => {
    const root = repo({
      'libs/sources/src/index.ts': "export { store as source } from '../../storage/src/index';\nexport { x } from 'libs/x/src';\n",
      'apps/one/src/helper.ts': "import type { Subject } from '../../../libs/contracts/src/subjects';\nexport const helper: Subject = 'a';\n",
    });
    expect(broken(root)).toEqual([
      ['library-by-alias', 'apps/one/src/helper.ts:1', '../../../libs/contracts/src/subjects'],
      ['library-by-alias', 'libs/sources/src/index.ts:1', '../../storage/src/index'],
      ['library-by-alias', 'libs/sources/src/index.ts:2', 'libs/x/src'],
    ]);
  });

  it('library-by-alias: a sub-entry point not listed in the rules, even with a tsconfig path, or by its path', () => {
    const root = repo({
      'libs/storage/src/internal/index.ts': 'export const secret = 1;\n',
      'apps/one/src/helper.ts': "import { secret } from '@sluice/storage/internal';\nexport const helper = secret;\n",
      'apps/two/src/demo.ts': "import { generate } from 'libs/normalize/src/synthetic';\nexport const demo = generate;\n",
    });
    expect(broken(root)).toEqual([
      ['library-by-alias', 'apps/one/src/helper.ts:1', '@sluice/storage/internal'],
      ['library-by-alias', 'apps/two/src/demo.ts:1', 'libs/normalize/src/synthetic'],
    ]);
  });

  it('run-writer-scanner-only: the scanner imports the writer; another app, its spec or a library may not, by alias or path', () => {
    const root = repo({
      'libs/run-state/src/index.ts': 'export const reader = 1;\n',
      'libs/run-state/src/writer/index.ts': "import { reader } from '../index';\nexport const writer = reader;\n",
      'apps/scanner/src/lease.ts': "import { writer } from '@sluice/run-state/writer';\nimport { reader } from '@sluice/run-state';\nexport const l = [writer, reader];\n",
      'apps/one/src/helper.ts': "import { reader } from '@sluice/run-state';\nexport const helper = reader;\n",
      'apps/two/src/worker.ts': "import { writer } from '@sluice/run-state/writer';\nexport const w = writer;\n",
      'apps/two/src/worker.spec.ts': "import type { writer } from '../../../libs/run-state/src/writer/index';\nexport type W = typeof writer;\n",
      'libs/storage/src/runs.ts': "const writer = import('@sluice/run-state/writer');\nexport const r = writer;\n",
    });
    expect(broken(root)).toEqual([
      ['library-by-alias', 'apps/two/src/worker.spec.ts:1', '../../../libs/run-state/src/writer/index'],
      ['run-writer-scanner-only', 'apps/two/src/worker.spec.ts:1', '../../../libs/run-state/src/writer/index'],
      ['run-writer-scanner-only', 'apps/two/src/worker.ts:1', '@sluice/run-state/writer'],
      ['run-writer-scanner-only', 'libs/storage/src/runs.ts:1', '@sluice/run-state/writer'],
    ]);
  });

  it('packages-only: production code importing test/, bench/ or outside the repo; a spec may use only test/support', () => {
    const root = repo({
      'apps/one/src/main.ts': "import { waitFor } from '../../../test/support/wait-for';\nimport { bench } from '../../../bench/run';\nexport const one = [waitFor, bench];\n",
      'libs/storage/src/store.spec.ts': "import { bench } from '../../../bench/run';\nimport { outside } from '../../../../elsewhere';\nexport const t = [bench, outside];\n",
    });
    const outside = broken(root).find(([, at]) => at === 'libs/storage/src/store.spec.ts:2');
    expect(outside).toEqual(['packages-only', 'libs/storage/src/store.spec.ts:2', '../../../../elsewhere']);
    expect(broken(root)).toEqual([
      ['packages-only', 'apps/one/src/main.ts:1', '../../../test/support/wait-for'],
      ['packages-only', 'apps/one/src/main.ts:2', '../../../bench/run'],
      ['packages-only', 'libs/storage/src/store.spec.ts:1', '../../../bench/run'],
      ['packages-only', 'libs/storage/src/store.spec.ts:2', '../../../../elsewhere'],
    ]);
  });

  it('describes a violation with the file, the line, the import, what it reaches and the rule', () => {
    const root = repo({ 'libs/storage/src/uses-app.ts': "\nimport { two } from '../../../apps/two/src/two';\nexport const t = two;\n" });
    expect(importViolations(buildImportGraph(root)).map(describeViolation)).toEqual([
      "libs/storage/src/uses-app.ts:2 imports '../../../apps/two/src/two' (apps/two): a library never imports an app [lib-imports-app]",
    ]);
  });
});

describe('the library cycle check', () => {
  it('names the cycle and the import behind each step, from production code or a test', () => {
    // x → z (in a spec) closes z → y → x; contracts → storage → contracts is a second, separate knot.
    const root = repo({
      'libs/x/src/x.spec.ts': "import { x } from '@sluice/z';\nexport const t = x;\n",
      'libs/contracts/src/index.ts': "export * from './subjects';\nexport { store } from '@sluice/storage';\n",
    });
    expect(libraryCycles(buildImportGraph(root)).map((v) => v.detail)).toEqual(
      expect.arrayContaining([
        "libs/x → libs/z → libs/y → libs/x; libs/x/src/x.spec.ts:1 '@sluice/z', libs/z/src/index.ts:1 '@sluice/y', libs/y/src/index.ts:1 '@sluice/x'",
        "libs/contracts → libs/storage → libs/contracts; libs/contracts/src/index.ts:2 '@sluice/storage', libs/storage/src/index.ts:1 '@sluice/contracts'",
      ]),
    );
    expect(libraryCycles(buildImportGraph(root))).toHaveLength(2);
  });
});

describe("the README's architecture diagram check", () => {
  const packages = [
    { kind: 'app' as const, name: 'scanner' },
    { kind: 'lib' as const, name: 'contracts' },
    { kind: 'lib' as const, name: 'normalize' },
  ];
  const readme = (architecture: string) =>
    `# x\n\n\`\`\`mermaid\nflowchart LR\n  a["libs/normalize"]\n\`\`\`\n\n## Architecture\n\n${architecture}\n## Development\n\n\`\`\`mermaid\nflowchart LR\n  b["libs/contracts"]\n\`\`\`\n`;

  it('finds a library added without a diagram update, and a name left for one that is gone', () => {
    const diagrams = architectureDiagrams(readme('```mermaid\nflowchart LR\n  s["apps/scanner"] --> n["libs/normalize<br/>engine"]\n  o["libs/old"]\n```\n\n### More\n'));
    expect(diagrams).toHaveLength(1); // only the Architecture section's diagram counts
    expect(diagramMismatch(diagrams, packages)).toEqual({ missing: ['libs/contracts'], unknown: ['libs/old'] });
  });

  it('passes when every package is named, and fails when the section has no diagram', () => {
    const named = architectureDiagrams(readme('```mermaid\nflowchart LR\n  apps/scanner --> libs/normalize --> libs/contracts\n```\n'));
    expect(diagramMismatch(named, packages)).toEqual({ missing: [], unknown: [] });
    expect(diagramMismatch(architectureDiagrams(readme('No diagram.\n')), packages).missing).toHaveLength(3);
  });
});
