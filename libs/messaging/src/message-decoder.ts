// Turns raw bytes into a typed message or a permanent error that names what is wrong (for the dead letter).
import { describeIssues, PermanentError } from '@sluice/contracts';
import type { z } from 'zod';
import { MAX_MESSAGE_BYTES } from './topology';

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: PermanentError };

export function decodeMessage<T>(data: Uint8Array, schema: z.ZodType<T>): Decoded<T> {
  if (data.length > MAX_MESSAGE_BYTES) {
    return { ok: false, error: new PermanentError('oversize', `message of ${data.length} bytes exceeds the limit of ${MAX_MESSAGE_BYTES}`) };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    return { ok: false, error: new PermanentError('invalid_json', `not JSON: ${(error as Error).message}`) };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: new PermanentError('invalid_message', `schema violation: ${describeIssues(parsed.error, 5)}`) };
  }
  return { ok: true, value: parsed.data };
}

/** Best-effort run id and key from a body that may be invalid, so a dead letter can be found by run and file. */
export function describeForDeadLetter(data: Uint8Array): { runId?: string; key?: string } {
  try {
    const body = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
    const runId = typeof body.runId === 'string' ? body.runId.slice(0, 64) : undefined;
    const source = body.source as Record<string, unknown> | undefined;
    const key = typeof source?.key === 'string' ? source.key : typeof body.sourceKey === 'string' ? body.sourceKey : undefined;
    return { runId, key: key?.slice(0, 1024) };
  } catch {
    return {};
  }
}
