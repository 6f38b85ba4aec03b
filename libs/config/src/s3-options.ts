// The S3 connection, built once from a service's parsed environment: what libs/storage and libs/sources take.
export interface S3Options {
  /** S3_ENDPOINT: a custom endpoint (MinIO, the demo's server); unset on AWS. */
  endpoint?: string;
  region: string;
  /** S3_FORCE_PATH_STYLE, else path-style exactly when an endpoint is set. */
  forcePathStyle: boolean;
  /** Used only when both are set; otherwise the SDK's default credential chain (role, profile) applies. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  requestTimeoutMs?: number;
}

/** The keys of libs/config's s3Env, as parsed. */
export interface S3Env {
  S3_ENDPOINT?: string;
  AWS_REGION: string;
  S3_FORCE_PATH_STYLE?: boolean;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  AWS_SESSION_TOKEN?: string;
  S3_REQUEST_TIMEOUT_MS?: number;
}

export function s3OptionsOf(env: S3Env): S3Options {
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.AWS_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
    requestTimeoutMs: env.S3_REQUEST_TIMEOUT_MS,
  };
}
