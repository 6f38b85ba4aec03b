// Run records written before a file's failure kept its structure: a failed file had `error: "code: reason"` (and,
// from 5331202, `errorCode` beside it), a skipped one `error: reason`. A deployment upgrades with runs in flight, so
// such a record in KV must read as today's shape: the string is parsed back into its code and reason.

/** `<code>: <reason>` as the tracker wrote it; codes are snake_case (`not_parquet`, `worker_crashed`, …). */
const LEGACY_ERROR = /^([a-z][a-z0-9_]*): ([\s\S]*)$/;

/** Pure: the code and reason of a legacy `error` string, with its `errorCode` when the record had one. */
export function parseLegacyFailure(error: string, errorCode?: string): { code: string; reason: string } {
  if (errorCode !== undefined) {
    const prefix = `${errorCode}: `;
    return { code: errorCode, reason: error.startsWith(prefix) ? error.slice(prefix.length) : error };
  }
  const match = LEGACY_ERROR.exec(error);
  return match ? { code: match[1], reason: match[2] } : { code: 'unknown', reason: error };
}

/**
 * Pure, for the schema (z.preprocess): a run file in the string form, rewritten in today's shape; anything else
 * unchanged. A file that has a structured `failure` keeps it.
 */
export function upgradeLegacyRunFile(file: unknown): unknown {
  if (typeof file !== 'object' || file === null || Array.isArray(file)) return file;
  if (!Object.hasOwn(file, 'error') && !Object.hasOwn(file, 'errorCode')) return file;
  const { error, errorCode, ...rest } = file as Record<string, unknown>;
  const text = typeof error === 'string' ? error : undefined;
  const code = typeof errorCode === 'string' ? errorCode : undefined;
  if (rest.status === 'failed' && rest.failure === undefined && (text !== undefined || code !== undefined)) {
    return { ...rest, failure: parseLegacyFailure(text ?? '', code) };
  }
  if (rest.status === 'skipped' && rest.skipReason === undefined && text !== undefined) return { ...rest, skipReason: text };
  return rest;
}
