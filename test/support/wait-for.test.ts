import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy probe result', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('treats a throwing probe as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        if (++calls < 3) throw new Error('not ready');
        return 'ready';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
  });

  it('on timeout says what it waited for and the last value seen', async () => {
    const consumer = { pending: 7 };
    await expect(
      waitFor(() => consumer.pending === 0 || undefined, { timeoutMs: 30, intervalMs: 5, what: 'the backlog to drain' }),
    ).rejects.toThrow(/^timed out after 30 ms waiting for the backlog to drain; the probe last returned: undefined$/);
    await expect(waitFor(() => consumer.pending - 7, { timeoutMs: 20, what: 'pending' })).rejects.toThrow(
      'the probe last returned: 0',
    );
  });

  it('on timeout reports the last exception the probe threw', async () => {
    let n = 0;
    await expect(
      waitFor(
        () => {
          throw new Error(`attempt ${++n} failed`);
        },
        { timeoutMs: 20, intervalMs: 5, what: 'the stream' },
      ),
    ).rejects.toThrow(/waiting for the stream; the probe last threw: Error: attempt \d+ failed$/);
  });

  it('a probe that never settles times out at the deadline, saying so', async () => {
    const started = Date.now();
    await expect(waitFor(() => new Promise(() => undefined), { timeoutMs: 50, intervalMs: 5, what: 'the run list' })).rejects.toThrow(
      /waiting for the run list; the last probe did not settle before the deadline$/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
