// Public API of the Parquet normalization engine.
export { type Dataset, DATASETS, parseSourceKey } from './datasets';
export { schemaVersionFor, qualityRulesFor } from './schemas/registry';
export {
  type QualityReport,
  type NormalizeOptions,
  type NormalizeFileOptions,
  normalize,
  normalizeFile,
  DEFAULT_ROW_GROUP_ROWS,
} from './normalize';
export { type RandomAccessInput, openLocalInput, memoryInput } from './io/random-access-input';
export { type OutputSink, localFileSink } from './io/output-sink';
export { type RemoteInput, type RemoteInputSpec, type RangeReader, openRemoteInput } from './io/worker-range-input';
export { QUALITY_RULE_COLUMN } from './row-group';
export { generateFhvhvParquet, type FhvhvGeneratorOptions } from './synthetic/fhvhv.generator';
export { generateYellowParquet, generateGreenParquet, type TaxiGeneratorOptions } from './synthetic/taxi.generator';
export { generateFhvParquet, type FhvGeneratorOptions } from './synthetic/fhv.generator';
export { generateBadFile, type BadFileKind, BAD_FILE_KINDS } from './synthetic/bad-files';
