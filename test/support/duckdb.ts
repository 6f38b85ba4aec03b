// An independent reader for outputs: DuckDB, the tool users will point at the sink.
import { DuckDBInstance } from '@duckdb/node-api';

export async function duckdbRows(sql: string): Promise<Array<Record<string, unknown>>> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
  }
}

/** Rows and row-group sizes of a Parquet file, as DuckDB sees them. */
export async function parquetShape(path: string): Promise<{ rows: number; rowGroups: number[] }> {
  const [{ rows }] = await duckdbRows(`SELECT count(*)::INTEGER AS rows FROM read_parquet('${path}')`);
  const groups = await duckdbRows(
    `SELECT row_group_id, max(row_group_num_rows)::INTEGER AS n FROM parquet_metadata('${path}') GROUP BY row_group_id ORDER BY row_group_id`,
  );
  return { rows: Number(rows), rowGroups: groups.map((g) => Number(g.n)) };
}
