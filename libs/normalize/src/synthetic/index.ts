// `@sluice/normalize/synthetic`: synthetic TLC-like source files and known-bad files, for tests, the bench and the
// demo. Not part of the engine's API (`@sluice/normalize`): production code normalizes files, it does not make them.
export { generateFhvhvParquet, type FhvhvGeneratorOptions } from './fhvhv.generator';
export { generateYellowParquet, generateGreenParquet, type TaxiGeneratorOptions } from './taxi.generator';
export { generateFhvParquet, type FhvGeneratorOptions } from './fhv.generator';
export { generateBadFile, type BadFileKind, BAD_FILE_KINDS } from './bad-files';
