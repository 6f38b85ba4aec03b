// Public API of the Parquet normalization engine.
export { type Dataset, DATASETS } from './datasets';
export { schemaVersionFor, qualityRulesFor, outputSchemaFor } from './schemas/registry';
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
