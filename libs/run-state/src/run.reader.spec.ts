// The reader is the transformer's and the CLI's whole access to run state: it must offer no way to write.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { RunReader } from './run.reader';
import { RunWriter } from './writer';

describe('RunReader', () => {
  it('reads a run, the lock and every run, and has no method that writes', () => {
    expect(Object.getOwnPropertyNames(RunReader.prototype).sort()).toEqual(['activeLock', 'constructor', 'get', 'list', 'runKeys']);
    // checked by the typecheck: the public surface is the three reads
    expectTypeOf<keyof RunReader>().toEqualTypeOf<'get' | 'activeLock' | 'list'>();
  });

  it('is what the scanner writer extends, so the scanner reads runs as the others do', () => {
    expect(Object.getPrototypeOf(RunWriter.prototype)).toBe(RunReader.prototype);
    expect(Object.getOwnPropertyNames(RunWriter.prototype).sort()).toEqual(['acquireLock', 'constructor', 'create', 'releaseLock', 'renewLease', 'update']);
  });
});
