// Publishing with JetStream acks: events, work and dead letters are all stored before we move on.
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CapacityEventSchema,
  deadLetterMsgId,
  deadLetterSubject,
  fileEventSubject,
  runEventSubject,
  SUBJECTS,
  workMsgId,
  type CapacityEvent,
  type DeadLetter,
  type FileDiscovered,
  type FileEvent,
  type RunEvent,
} from '@sluice/contracts';
import { describeForDeadLetter } from './message-decoder';

export const DEAD_LETTER_PAYLOAD_LIMIT = 16 * 1024;

export class Publisher {
  readonly js: JetStreamClient;

  constructor(readonly nc: NatsConnection) {
    this.js = jetstream(nc, { timeout: 10_000 });
  }

  /** `seq` is where the stream stored it (for a duplicate: where it stored the first one). */
  async publishJson(subject: string, body: unknown, msgID?: string): Promise<{ duplicate: boolean; seq: number }> {
    const ack = await this.js.publish(subject, JSON.stringify(body), msgID ? { msgID } : undefined);
    return { duplicate: ack.duplicate, seq: ack.seq };
  }

  /** With its Msg-Id (workMsgId): publishing the same file of the same run twice stores it once. */
  work(file: FileDiscovered): Promise<{ duplicate: boolean; seq: number }> {
    return this.publishJson(SUBJECTS.fileDiscovered, file, workMsgId(file));
  }

  runEvent(event: RunEvent, msgID?: string): Promise<{ duplicate: boolean }> {
    return this.publishJson(runEventSubject(event.runId), event, msgID);
  }

  /** With a Msg-Id, repeats inside the stream's duplicate window are stored once. */
  fileEvent(event: FileEvent, msgID?: string): Promise<{ duplicate: boolean }> {
    return this.publishJson(fileEventSubject(event.runId), event, msgID);
  }

  capacityEvent(event: CapacityEvent): Promise<{ duplicate: boolean }> {
    return this.publishJson(SUBJECTS.capacityEvent, CapacityEventSchema.parse(event));
  }

  deadLetter(letter: DeadLetter): Promise<{ duplicate: boolean }> {
    // One dead letter per stored message, however often settlement is retried.
    return this.publishJson(deadLetterSubject(letter.subject), letter, deadLetterMsgId(letter));
  }
}

/** The message being parked: where it was stored, how often it was delivered, and its bytes. */
export interface ParkedMessage {
  subject: string;
  data: Uint8Array;
  stream: string;
  streamSeq: number;
  consumer: string;
  deliveryCount: number;
}

/** The dead letter for a parked message: its place and deliveries, why, its run and file if it names them, its payload (bounded). */
export function deadLetterFor(parked: ParkedMessage, code: string, reason: string): DeadLetter {
  const { data, ...where } = parked;
  return {
    ...where,
    code,
    reason: reason.slice(0, 2_000),
    ...describeForDeadLetter(data),
    ...encodePayloadForDeadLetter(data),
    at: new Date().toISOString(),
  };
}

export function encodePayloadForDeadLetter(data: Uint8Array): { payloadBase64: string; payloadTruncated: boolean } {
  const truncated = data.length > DEAD_LETTER_PAYLOAD_LIMIT;
  const kept = truncated ? data.subarray(0, DEAD_LETTER_PAYLOAD_LIMIT) : data;
  return { payloadBase64: Buffer.from(kept).toString('base64'), payloadTruncated: truncated };
}
