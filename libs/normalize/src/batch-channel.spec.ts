import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchChannel } from './batch-channel';

const batch = (n: number) => new arrow.Table({ n: arrow.vectorFromArray([n]) }).batches[0];

describe('BatchChannel', () => {
  it('hands batches over in order and holds the producer back at capacity', async () => {
    const channel = new BatchChannel(2);
    let pushed = 0;
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await channel.push(batch(i));
        pushed++;
      }
      channel.close();
    })();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pushed).toBe(2);
    const seen: number[] = [];
    for await (const b of channel) seen.push(b.getChildAt(0)!.get(0) as number);
    await producer;
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('a producer failure reaches the consumer', async () => {
    const channel = new BatchChannel();
    await channel.push(batch(1));
    channel.close(new Error('source broke'));
    await expect((async () => {
      for await (const _ of channel) void _;
    })()).rejects.toThrow('source broke');
  });

  it('a consumer that stops early releases a waiting producer with an error', async () => {
    const channel = new BatchChannel(1);
    await channel.push(batch(1));
    const accepted = channel.push(batch(2)); // waits for room; taking batch 1 makes it
    const iterator = channel[Symbol.asyncIterator]();
    await iterator.next();
    await accepted;
    const waiting = channel.push(batch(3)); // the queue holds batch 2: this one waits
    await iterator.return(undefined);
    await expect(waiting).rejects.toThrow('the consumer stopped reading');
  });
});
