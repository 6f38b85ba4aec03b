export type { ObjectInfo, ObjectStore, S3ConnectionOptions, DownloadOptions } from './object-store';
export { sameEtag, DEFAULT_DOWNLOAD_CHUNK_BYTES } from './object-store';
export { validateObjectKey, validateKeyPrefix, joinKey, MAX_KEY_BYTES } from './object-key';
export { openObjectStore } from './open-store';
export { S3Store, createS3Client, type S3StoreOptions } from './s3.store';
export { FsStore } from './fs.store';
export { classifyS3Error } from './s3-errors';
export { classifyFsError } from './fs-errors';
export { PipelineStores, openPipelineStores, s3OptionsFromEnv, testSinkUrl, type PipelineStoreConfig } from './pipeline-stores';
