// The README's architecture diagrams: the mermaid blocks of its "## Architecture" section (up to the next "## ").
import type { PackageRef } from './import-graph';

export function architectureDiagrams(readme: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => /^## Architecture\s*$/.test(line));
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  const section = lines.slice(start, end < 0 ? undefined : end).join('\n');
  return [...section.matchAll(/^```mermaid\n([\s\S]*?)^```/gm)].map((match) => match[1]);
}

const pathOf = (pkg: PackageRef) => `${pkg.kind === 'app' ? 'apps' : 'libs'}/${pkg.name}`;

/** Packages the diagrams do not name as `libs/<name>` / `apps/<name>`, and names in them that are no package. */
export function diagramMismatch(diagrams: string[], packages: PackageRef[]): { missing: string[]; unknown: string[] } {
  const text = diagrams.join('\n');
  const named = new Set([...text.matchAll(/\b(?:apps|libs)\/[a-z0-9-]+/g)].map((match) => match[0]));
  const existing = new Set(packages.map(pathOf));
  return {
    missing: [...existing].filter((path) => !named.has(path)).sort(),
    unknown: [...named].filter((path) => !existing.has(path)).sort(),
  };
}
