// What a Nest handler gets as `@Ctx()`: the message's delivery facts and a way to know if this is its last chance.
import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';
import { finalFailureOf, type SettlementPolicy } from '../settlement';

export class JetStreamContext extends BaseRpcContext<[JsMsg]> {
  constructor(
    msg: JsMsg,
    private readonly policy: SettlementPolicy,
    /** Aborted when the delivery's deadline passes (see PullBinding.deadlineMs); pass it to long work. */
    readonly signal: AbortSignal = new AbortController().signal,
  ) {
    super([msg]);
  }

  get message(): JsMsg {
    return this.args[0];
  }
  get subject(): string {
    return this.message.subject;
  }
  get deliveryCount(): number {
    return this.message.info.deliveryCount;
  }
  get streamSequence(): number {
    return this.message.info.streamSequence;
  }
  /** When the message was first stored, in ms since the epoch (stable across redeliveries). */
  get storedAtMs(): number {
    return Math.floor(this.message.info.timestampNanos / 1_000_000);
  }
  /** The code and reason the dead letter will carry if the handler fails with this error now; undefined if it will be retried. */
  finalFailure(error: unknown): { code: string; reason: string } | undefined {
    return finalFailureOf(error, this.deliveryCount, this.policy);
  }
}
