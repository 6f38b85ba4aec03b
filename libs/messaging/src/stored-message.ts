// Reading one message of a stream by its sequence, where "not there" is an answer (acknowledged, terminated, purged,
// deleted) and anything else is an error the caller must not take for "not there".
import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';

/** JetStream's "no such stream / consumer / message" errors. */
export function isNotFoundError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /not found|no message found/i.test(message);
}

/** The message stored at `seq`, or undefined when the stream no longer holds it. */
export async function storedMessage(jsm: JetStreamManager, stream: string, seq: number): Promise<StoredMsg | undefined> {
  try {
    return (await jsm.streams.getMessage(stream, { seq })) ?? undefined;
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}
