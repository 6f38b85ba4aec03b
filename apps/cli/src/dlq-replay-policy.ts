// Which dead letters `sluice dlq replay` may publish again, and where. The operator's role may publish only run and
// cancel requests, so those are the only subjects a replay republishes to, and only with a payload that passes that
// subject's schema. Work is published by the scanner alone: a parked file is picked up by the next run that plans
// it. Anything else a letter names (an event subject, `$JS.API.…`) was never ours to replay: refused and reported.
import { deadLetterSubject, FileDiscoveredSchema, parseMessage, SUBJECTS, type DeadLetter } from '@sluice/contracts';

/** The subjects a replay may publish to; a payload must pass its subject's schema (the contracts' MESSAGE_SCHEMAS). */
export const REPLAYABLE_SUBJECTS: readonly string[] = [SUBJECTS.run, SUBJECTS.cancel];

export type ReplayDecision =
  | { replay: true; subject: string; payload: Uint8Array }
  | {
      replay: false;
      reason: string;
      /** What to do instead. */
      hint?: string;
      /** The letter names something sluice never parks there: it may be forged. */
      suspicious: boolean;
    };

/**
 * @param letter the parsed dead letter
 * @param parkedOn the subject the letter was stored under in the DLQ stream
 */
export function decideReplay(letter: DeadLetter, parkedOn: string): ReplayDecision {
  const subject = letter.subject;
  if (parkedOn !== deadLetterSubject(subject)) {
    return refuse(`it is parked on ${parkedOn} but names ${subject}: sluice never writes such a letter`, true);
  }
  if (subject === SUBJECTS.fileDiscovered) {
    return { replay: false, reason: 'work is published only by the scanner', hint: workHint(letter), suspicious: false };
  }
  if (!REPLAYABLE_SUBJECTS.includes(subject)) {
    return refuse(`${subject} is not a subject sluice replays (only ${REPLAYABLE_SUBJECTS.join(' and ')}); it may be forged`, true);
  }
  if (letter.payloadTruncated) return refuse('the payload was cut when it was parked; it cannot be replayed', false);
  const payload = Buffer.from(letter.payloadBase64, 'base64');
  const problem = schemaProblem(subject, payload);
  if (problem) return refuse(`its payload is not a valid ${subject} message (${problem})`, false);
  return { replay: true, subject, payload: new Uint8Array(payload) };
}

function refuse(reason: string, suspicious: boolean): ReplayDecision {
  return { replay: false, reason, suspicious };
}

function schemaProblem(subject: string, payload: Buffer): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  const parsed = parseMessage(subject, body, 3);
  return parsed.ok ? undefined : parsed.reason;
}

/**
 * A dead-lettered file never committed a manifest in that attempt: an incremental run plans every source without
 * one (or whose source changed). A file that was committed before and failed only in a reprocess needs a reprocess.
 */
function workHint(letter: DeadLetter): string {
  const incremental = `once the cause is fixed, run \`sluice run --intent incremental\`: it picks up ${letter.key ?? 'the file'}, which has no manifest`;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(letter.payloadBase64, 'base64').toString('utf8'));
  } catch {
    return incremental;
  }
  const work = FileDiscoveredSchema.safeParse(body);
  if (!work.success) return incremental;
  const { dataset, month } = work.data;
  return `${incremental} (if an earlier version of it is committed: \`sluice run --intent reprocess --dataset ${dataset} --months ${month}\`)`;
}
