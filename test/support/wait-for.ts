// The one way tests wait: poll a condition until it holds, and on timeout say what was expected and what was last seen.
import { inspect } from 'node:util';

export interface WaitForOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 50 ms. */
  intervalMs?: number;
  /** What we are waiting for, for the timeout message: "the file event for run r1". */
  what?: string;
}

/** Resolves with the first truthy result of `probe`; a probe that throws counts as "not yet". */
export type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

const HUNG = Symbol('hung');

async function settlesBy<T>(value: T | Promise<T>, deadline: number): Promise<T | typeof HUNG> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<typeof HUNG>((resolve) => {
    timer = setTimeout(() => resolve(HUNG), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([Promise.resolve(value), hung]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitFor<T>(probe: () => T | Promise<T>, opts: WaitForOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } | { hung: true } | undefined;
  for (;;) {
    try {
      // a probe that never settles (a hung client call) must not outlive the deadline: the test would then
      // fail on the runner's timeout with no word about what was awaited
      const value = await settlesBy(probe(), deadline + intervalMs);
      if (value === HUNG) {
        last = { hung: true };
        break;
      }
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const seen =
    last === undefined
      ? 'the probe never completed'
      : 'hung' in last
        ? 'the last probe did not settle before the deadline'
        : 'error' in last
        ? `the probe last threw: ${describeError(last.error)}`
        : `the probe last returned: ${inspect(last.value, { depth: 4, breakLength: Infinity, maxStringLength: 2000 })}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}; ${seen}`);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : inspect(error, { depth: 4, breakLength: Infinity });
}
