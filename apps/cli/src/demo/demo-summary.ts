// The end of the demo: what each file became, where the output is, and a query to read it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { MANIFEST_PREFIX, type Manifest } from '@sluice/contracts';
import type { ObjectStore } from '@sluice/storage';

export function formatManifestTable(manifests: Manifest[]): string[] {
  const n = (v: number) => v.toLocaleString('en-US');
  const sum = (d: Record<string, number>) => Object.values(d).reduce((a, b) => a + b, 0);
  const byRule = (d: Record<string, number>) =>
    Object.entries(d)
      .filter(([, v]) => v > 0)
      .map(([rule, v]) => `${rule} ${n(v)}`)
      .join(', ');
  const header = ['source', 'schema', 'rows in', 'rows out', 'dropped', 'dropped by rule'];
  const rows = manifests.map((m) => [m.source.key, m.schemaVersion, n(m.rowsIn), n(m.rowsOut), n(sum(m.dropped)), byRule(m.dropped)]);
  const total = (f: (m: Manifest) => number) => n(manifests.reduce((a, m) => a + f(m), 0));
  rows.push(['TOTAL', '', total((m) => m.rowsIn), total((m) => m.rowsOut), total((m) => sum(m.dropped)), '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const left = new Set([0, 1, 5]);
  const fmt = (cells: string[]) => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
}

/** Copies the committed outputs (and their manifests) to a local folder, so they can be queried after the demo. */
export async function exportOutputs(sink: ObjectStore, manifests: Manifest[], toDir: string): Promise<string[]> {
  rmSync(toDir, { recursive: true, force: true }); // a previous demo's months must not mix into this one's query
  const written: string[] = [];
  for (const m of manifests) {
    for (const key of [m.output.key, `${MANIFEST_PREFIX}${m.dataset}/${m.month}.json`]) {
      const bytes = await sink.getBytes(key);
      if (!bytes) continue;
      const path = join(toDir, key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
      written.push(path);
    }
  }
  return written;
}

export function demoQuery(outputDir: string, cwd = process.cwd()): string {
  const glob = `${relative(cwd, outputDir) || '.'}/fhvhv/*/*/*.parquet`;
  return (
    `SELECT year, month, count(*) AS trips, round(avg(trip_miles), 2) AS avg_miles, ` +
    `round(sum(base_passenger_fare)) AS fares FROM read_parquet('${glob}', hive_partitioning = true) ` +
    `GROUP BY ALL ORDER BY ALL`
  );
}

/**
 * Runs the query with DuckDB's Node API when it is installed (it is a dev dependency: present after `npm ci`,
 * absent from a production image). Returns the result as text lines, or undefined without DuckDB.
 */
export async function runWithDuckDb(sql: string): Promise<string[] | undefined> {
  let duckdb: typeof import('@duckdb/node-api');
  try {
    duckdb = await import('@duckdb/node-api');
  } catch {
    return undefined;
  }
  const db = await duckdb.DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    const columns = reader.columnNames();
    const rows = reader.getRowsJson().map((r) => r.map((v) => String(v)));
    const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
    const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
    return [fmt(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
  } finally {
    connection.closeSync();
  }
}
