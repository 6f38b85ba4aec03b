// normalizeFile: one local source Parquet file in, one canonical zstd Parquet file and a quality report out.
import { PermanentError } from '@sluice/contracts';
import { type Dataset, isMonth } from './datasets';
import { emptyDropCounts, monthWindow } from './quality';
import { ParquetSource, inspectParquetFile } from './reader';
import { normalizeRowGroup } from './row-group';
import { canonicalArrowSchema } from './schemas/canonical';
import { schemaFor } from './schemas/registry';
import { planSchemaMapping } from './schemas/schema-mapping';
import { writeParquetFile } from './writer';

export interface QualityReport {
  dataset: Dataset;
  month: string;
  schemaVersion: string;
  rowsIn: number;
  rowsOut: number;
  /** Rows dropped per quality rule: every rule of the schema version is listed, 0 when it dropped nothing. */
  dropped: Record<string, number>;
  /** Source columns the canonical schema does not know, dropped. */
  droppedColumns: string[];
  /** Row groups in the output file. */
  rowGroups: number;
  outputBytes: number;
}

export interface NormalizeOptions {
  inputPath: string;
  outputPath: string;
  dataset: Dataset;
  month: string;
  /** Rows per output row group (the last one may be smaller); default 1,000,000. */
  rowGroupRows?: number;
  /** Source rows decoded at once per column (bounds memory); default 131,072. */
  windowRows?: number;
  /** Called after each window of source rows. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export const DEFAULT_ROW_GROUP_ROWS = 1_000_000;

/**
 * Reads a local Parquet file and writes the normalized zstd Parquet file to outputPath (through
 * `${outputPath}.partial` and a rename: no partial output is ever visible). Throws PermanentError with a
 * precise code for a bad file: `empty`, `not_parquet`, `truncated`, `corrupt`, `missing_column`,
 * `impossible_type`, `ambiguous_column`; and for bad arguments: `unsupported_dataset`, `invalid_month`.
 */
export async function normalizeFile(opts: NormalizeOptions): Promise<QualityReport> {
  const { inputPath, outputPath, dataset, month, onProgress } = opts;
  const rowGroupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  const schema = schemaFor(dataset);
  if (!schema) {
    throw new PermanentError('unsupported_dataset', `no canonical schema for dataset '${dataset}' yet`);
  }
  if (!isMonth(month)) throw new PermanentError('invalid_month', `month '${month}' is not YYYY-MM`);
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new RangeError(`rowGroupRows must be a positive integer, got ${rowGroupRows}`);
  }

  const source = await ParquetSource.open(inputPath);
  try {
    const fields = source.schema.fields.map((f) => ({ name: f.name, type: f.type }));
    const mapping = planSchemaMapping(schema, fields);
    const canonical = canonicalArrowSchema(schema);
    const window = monthWindow(month);
    const { rules } = schema;
    const dropped: Record<string, number> = emptyDropCounts(rules);
    const rowsTotal = source.numRows;
    let rowsIn = 0;
    let rowsOut = 0;

    async function* canonicalBatches() {
      for (let rowGroup = 0; rowGroup < source.rowGroups.length; rowGroup++) {
        if (source.rowGroups[rowGroup].numRows === 0) continue;
        for await (const result of normalizeRowGroup(source, rowGroup, mapping, canonical, rules, window, opts.windowRows)) {
          rowsIn += result.rowsIn;
          rowsOut += result.batch.numRows;
          for (const [rule, n] of Object.entries(result.dropped)) dropped[rule] += n;
          onProgress?.(rowsIn, rowsTotal);
          if (result.batch.numRows > 0) yield result.batch;
        }
      }
    }

    await writeParquetFile(outputPath, canonical, canonicalBatches(), {
      rowGroupRows,
      keyValueMetadata: { 'sluice.schema_version': schema.version, 'sluice.month': month },
    });
    const written = await inspectParquetFile(outputPath);
    return {
      dataset,
      month,
      schemaVersion: schema.version,
      rowsIn,
      rowsOut,
      dropped,
      droppedColumns: mapping.droppedColumns,
      rowGroups: written.rowGroupRows.length,
      outputBytes: written.sizeBytes,
    };
  } finally {
    await source.close();
  }
}
