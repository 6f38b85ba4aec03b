// Do two normalized fhvhv outputs hold the same rows? Compared by DuckDB per column: row count, non-null
// count, and a sum (numbers, epoch µs), true count (booleans) or min/max + distinct count (strings).
import { DuckDBInstance } from '@duckdb/node-api';

const RELATIVE_TOLERANCE = 1e-6; // float32 sums in a different order

export async function compareOutputs(a: string, b: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    const describe = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${a}')`)).getRowObjectsJson();
    const exprs: string[] = ['count(*)::DOUBLE AS rows'];
    for (const { column_name: name, column_type: type } of describe) {
      const c = `"${name}"`;
      exprs.push(`count(${c})::DOUBLE AS "${name}.count"`);
      if (type === 'BOOLEAN') exprs.push(`count_if(${c})::DOUBLE AS "${name}.true"`);
      else if (type === 'VARCHAR') exprs.push(`count(DISTINCT ${c})::DOUBLE AS "${name}.distinct"`, `min(${c}) AS "${name}.min"`, `max(${c}) AS "${name}.max"`);
      else if (String(type).startsWith('TIMESTAMP')) exprs.push(`sum(epoch_us(${c}))::DOUBLE AS "${name}.sum"`);
      else exprs.push(`sum(${c})::DOUBLE AS "${name}.sum"`);
    }
    const summary = async (file: string) =>
      (await connection.runAndReadAll(`SELECT ${exprs.join(', ')} FROM read_parquet('${file}')`)).getRowObjectsJson()[0];
    const [sa, sb] = [await summary(a), await summary(b)];
    const typesB = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${b}')`)).getRowObjectsJson();
    const differences: string[] = [];
    const ta = describe.map((r) => `${r.column_name}:${r.column_type}`).join(',');
    const tb = typesB.map((r) => `${r.column_name}:${r.column_type}`).join(',');
    if (ta !== tb) differences.push(`schemas differ: ${ta} vs ${tb}`);
    for (const key of Object.keys(sa)) {
      const [x, y] = [sa[key], sb[key]];
      if (typeof x === 'number' && typeof y === 'number') {
        if (Math.abs(x - y) > RELATIVE_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y))) differences.push(`${key}: ${x} vs ${y}`);
      } else if (x !== y) differences.push(`${key}: ${String(x)} vs ${String(y)}`);
    }
    return differences;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
