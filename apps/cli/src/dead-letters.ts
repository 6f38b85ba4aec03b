// Reading the dead-letter stream: every letter in order, with the id (stream sequence) `sluice dlq` names it by.
// A replayed letter is deleted from the stream, so its sequence is a gap; a message that is not a dead letter sluice
// wrote (not JSON, wrong shape) is reported by id, never taken for one.
import type { JetStreamManager } from '@nats-io/jetstream';
import { DeadLetterSchema, STREAMS, type DeadLetter } from '@sluice/contracts';

export interface ParkedLetter {
  /** Its sequence in the DLQ stream. */
  id: number;
  /** The subject it is stored under in the DLQ stream. */
  parkedOn: string;
  letter: DeadLetter;
}

export interface DeadLetters {
  letters: ParkedLetter[];
  /** Ids of messages in the DLQ that are not dead letters sluice can read. */
  unreadable: number[];
}

/** The first `limit` readable letters (and the unreadable messages met on the way). Throws if the DLQ stream does not exist. */
export async function readDeadLetters(jsm: JetStreamManager, limit = Number.MAX_SAFE_INTEGER): Promise<DeadLetters> {
  const info = await jsm.streams.info(STREAMS.dlq);
  const found: DeadLetters = { letters: [], unreadable: [] };
  if (info.state.messages === 0) return found;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && found.letters.length < limit; seq += 1) {
    const m = await jsm.streams.getMessage(STREAMS.dlq, { seq }).catch(() => undefined);
    if (!m) continue; // deleted (replayed)
    let body: unknown;
    try {
      body = m.json();
    } catch {
      body = undefined;
    }
    const parsed = DeadLetterSchema.safeParse(body);
    if (parsed.success) found.letters.push({ id: seq, parkedOn: m.subject, letter: parsed.data });
    else found.unreadable.push(seq);
  }
  return found;
}
