// Public API of the Parquet normalization engine.
export { type Dataset, DATASETS, parseSourceKey } from './datasets';
export { schemaVersionFor } from './schemas/registry';
export { type QualityReport, type NormalizeOptions, normalizeFile, DEFAULT_ROW_GROUP_ROWS } from './normalize';
export { QUALITY_RULES, type QualityRule } from './quality';
export { generateFhvhvParquet, type FhvhvGeneratorOptions } from './synthetic/fhvhv.generator';
export { generateBadFile, type BadFileKind, BAD_FILE_KINDS } from './synthetic/bad-files';
