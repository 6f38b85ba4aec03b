// The repo as it is: every import under apps/ and libs/ keeps to the allowed graph (import-rules.ts), the libraries
// import each other without a cycle, and the README's architecture diagram names every package that exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImportGraph, type ImportGraph, listPackages } from './import-graph';
import { describeViolation, importViolations } from './import-rules';
import { libraryCycles } from './library-cycles';
import { architectureDiagrams, diagramMismatch } from './readme-diagram';

const ROOT = join(__dirname, '..', '..');

describe('the import graph of apps/ and libs/', () => {
  let graph: ImportGraph;
  beforeAll(() => {
    graph = buildImportGraph(ROOT);
  });

  it('is the whole tree, aliases resolved', () => {
    // The check has something to judge: every package has files, and @sluice/* resolves into libs/.
    const packages = listPackages(ROOT).map((p) => `${p.kind}:${p.name}`);
    const withFiles = new Set(graph.files.map((f) => `${f.package.kind}:${f.package.name}`));
    expect(packages.filter((p) => !withFiles.has(p))).toEqual([]);
    expect(graph.files.length).toBeGreaterThan(200);
    const contracts = graph.imports.filter((e) => e.specifier === '@sluice/contracts');
    expect(contracts.length).toBeGreaterThan(50);
    expect(contracts.every((e) => e.target.kind === 'repo' && e.target.path === 'libs/contracts/src/index.ts')).toBe(true);
  });

  it('breaks no import rule', () => {
    expect(importViolations(graph).map(describeViolation)).toEqual([]);
  });

  it('has no cycle between libraries', () => {
    expect(libraryCycles(graph).map(describeViolation)).toEqual([]);
  });
});

describe("the README's architecture diagram", () => {
  it('names every library and app under libs/ and apps/, and no other', () => {
    const diagrams = architectureDiagrams(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(diagrams.length).toBeGreaterThan(0);
    expect(diagramMismatch(diagrams, listPackages(ROOT))).toEqual({ missing: [], unknown: [] });
  });
});
