// Which canonical schema each dataset has (yellow, green and fhv come in a later issue).
import type { Dataset } from '../datasets';
import type { DatasetSchema } from './canonical';
import { FHVHV_SCHEMA_V1 } from './fhvhv.schema';

const SCHEMAS: Partial<Record<Dataset, DatasetSchema>> = { fhvhv: FHVHV_SCHEMA_V1 };

export function schemaFor(dataset: Dataset): DatasetSchema | undefined {
  return SCHEMAS[dataset];
}

/** Version of the canonical schema + rules of a dataset, e.g. 'fhvhv.v1'; undefined when it has none yet. */
export function schemaVersionFor(dataset: Dataset): string | undefined {
  return SCHEMAS[dataset]?.version;
}
