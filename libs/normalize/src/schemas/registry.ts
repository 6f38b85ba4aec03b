// Which canonical schema each dataset has. The dataset comes from the source file name (`parseTlcFileName` in @sluice/contracts).
import type { Dataset } from '../datasets';
import type * as arrow from 'apache-arrow';
import { canonicalArrowSchema, type DatasetSchema } from './canonical';
import { FHV_SCHEMA_V1 } from './fhv.schema';
import { FHVHV_SCHEMA_V1 } from './fhvhv.schema';
import { GREEN_SCHEMA_V1 } from './green.schema';
import { YELLOW_SCHEMA_V1 } from './yellow.schema';

const SCHEMAS: Partial<Record<Dataset, DatasetSchema>> = {
  fhvhv: FHVHV_SCHEMA_V1,
  yellow: YELLOW_SCHEMA_V1,
  green: GREEN_SCHEMA_V1,
  fhv: FHV_SCHEMA_V1,
};

export function schemaFor(dataset: Dataset): DatasetSchema | undefined {
  return SCHEMAS[dataset];
}

/** Version of the canonical schema + rules of a dataset, e.g. 'fhvhv.v1'; undefined when it has none. */
export function schemaVersionFor(dataset: Dataset): string | undefined {
  return SCHEMAS[dataset]?.version;
}

/** Names of a dataset's quality rules in evaluation order (the keys of `QualityReport.dropped`). */
export function qualityRulesFor(dataset: Dataset): string[] {
  return SCHEMAS[dataset]?.rules.map((r) => r.name) ?? [];
}

/**
 * The exact Arrow schema of the Parquet files the engine writes for a dataset: one nullable field per canonical
 * column, in order. Readers' catalogs (the CDK stack's Glue tables) are generated from it.
 */
export function outputSchemaFor(dataset: Dataset): arrow.Schema | undefined {
  const schema = SCHEMAS[dataset];
  return schema && canonicalArrowSchema(schema);
}
