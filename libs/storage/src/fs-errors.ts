// Turns a Node filesystem failure into a TransientError or PermanentError.
import { PermanentError, PipelineError, TransientError } from '@sluice/contracts';

const PERMANENT_BY_CODE: Record<string, string> = {
  ENOENT: 'not_found',
  ENOTDIR: 'not_found',
  EISDIR: 'invalid_key',
  EACCES: 'access_denied',
  EPERM: 'access_denied',
  EROFS: 'read_only',
  ENAMETOOLONG: 'invalid_key',
  ELOOP: 'invalid_key',
  EFBIG: 'entity_too_large',
};

const TRANSIENT_BY_CODE: Record<string, string> = {
  ENOSPC: 'storage_full',
  EDQUOT: 'storage_full',
};

export function classifyFsError(error: unknown, action: string): PipelineError {
  if (error instanceof PipelineError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${action} failed: ${detail}`;
  const permanent = code ? PERMANENT_BY_CODE[code] : undefined;
  if (permanent) return new PermanentError(permanent, message, { cause: error });
  // EIO, EMFILE, EBUSY, EAGAIN and the unknown: may clear up.
  return new TransientError((code && TRANSIENT_BY_CODE[code]) ?? 'storage_unavailable', message, { cause: error });
}
