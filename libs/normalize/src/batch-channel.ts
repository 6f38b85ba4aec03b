// A bounded hand-off between one producer and one consumer of record batches: the producer waits while
// `capacity` batches are queued, so a slow consumer (the quarantine writer) holds back the producer instead of
// letting batches pile up in memory.
import type * as arrow from 'apache-arrow';

export class BatchChannel implements AsyncIterable<arrow.RecordBatch> {
  private readonly queue: arrow.RecordBatch[] = [];
  private closed = false;
  private failure: { error: unknown } | undefined;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(private readonly capacity = 2) {}

  async push(batch: arrow.RecordBatch): Promise<void> {
    while (this.queue.length >= this.capacity && !this.failure) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    if (this.failure) throw this.failure.error;
    this.queue.push(batch);
    this.wake('consumer');
  }

  /** No more batches: the consumer ends after the queued ones, or fails with `error`. */
  close(error?: unknown): void {
    this.closed = true;
    if (error !== undefined) this.failure ??= { error };
    this.wake('consumer');
  }

  /** The consumer gave up: a waiting or later push fails with `error`. */
  abandon(error: unknown): void {
    this.failure ??= { error };
    this.queue.length = 0;
    this.wake('producer');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<arrow.RecordBatch> {
    let ended = false;
    try {
      for (;;) {
        if (this.failure) throw this.failure.error;
        const next = this.queue.shift();
        if (next) {
          this.wake('producer');
          yield next;
          continue;
        }
        if (this.closed) {
          ended = true;
          return;
        }
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      }
    } finally {
      // stopped early (its writer failed): the producer must not wait for room that never comes
      if (!ended) this.abandon(new Error('the consumer stopped reading'));
    }
  }

  private wake(who: 'consumer' | 'producer'): void {
    const wake = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    wake?.();
  }
}
