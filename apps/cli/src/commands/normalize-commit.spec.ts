// An interruption of `sluice normalize` at each point of its life, pinned exactly: the real engine writes a small file
// to real local outputs, and the test holds a commit open (or a write) to call interrupt() — what the CLI's signal
// handler calls — at that moment. Whatever the moment, the directory shows both outputs or neither, never one.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryInput, normalize } from '@sluice/normalize';
import { generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, describe, expect, it } from 'vitest';
import { CommitAfterInterruption, OutputCommitUnit } from './normalize-commit';
import { type CliOutputSink, openOutput } from './normalize-locations';

const source = generateFhvhvParquet({ month: '2024-03', rows: 2_000, invalidFraction: 0.05, seed: 4 });
const root = mkdtempSync(join(tmpdir(), 'sluice-commit-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A gate the test opens: `reached` resolves when the sink arrives at it. */
function gate() {
  let open!: (fail?: Error) => void;
  let arrived!: () => void;
  const opened = new Promise<void>((resolve, reject) => (open = (fail) => (fail ? reject(fail) : resolve())));
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  return { opened, reached, arrived, open };
}

/** output, whose commit (or first write) waits at `at` before it runs (or fails, when the gate is opened with an error). */
function held(output: CliOutputSink, at: ReturnType<typeof gate>, what: 'commit' | 'write'): CliOutputSink {
  let first = true;
  return {
    name: output.name,
    location: output.location,
    get committed() {
      return output.committed;
    },
    write: async (chunk) => {
      if (what === 'write' && first) {
        first = false;
        at.arrived();
        await at.opened;
      }
      return output.write(chunk);
    },
    commit: async () => {
      if (what !== 'commit') return output.commit();
      at.arrived();
      await at.opened;
      return output.commit();
    },
    abort: () => output.abort(),
  };
}

/** A fresh directory, the unit over its output and quarantine (one of them held), and normalize running into it. */
function start(hold: { sink: 'output' | 'quarantine'; what: 'commit' | 'write' }) {
  const dir = mkdtempSync(join(root, 'run-'));
  const at = gate();
  const unit = new OutputCommitUnit();
  const open = (name: 'output' | 'quarantine') => {
    const output = openOutput(join(dir, `${name}.parquet`), {});
    return unit.add(hold.sink === name ? held(output, at, hold.what) : output);
  };
  const output = open('output');
  const quarantine = open('quarantine');
  const work = unit.track(normalize(memoryInput(source), output, { dataset: 'fhvhv', month: '2024-03', quarantine }));
  work.catch(() => undefined); // asserted below, when it matters
  return { dir, at, unit, work, files: () => readdirSync(dir).sort() };
}

/** Has `promise` settled yet? (after letting every pending callback run) */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('OutputCommitUnit: an interruption and the commits of output and quarantine', () => {
  it('between the two commits (quarantine committed, output about to be): waits, and both are written', async () => {
    const run = start({ sink: 'output', what: 'commit' });
    await run.at.reached;
    expect(run.files()).toEqual(['output.parquet.partial', 'quarantine.parquet']);
    const outcome = run.unit.interrupt();
    expect(await settled(outcome), 'the interruption must wait for the output commit').toBe(false);
    run.at.open();
    expect(await outcome).toBe(`${join(run.dir, 'output.parquet')} and ${join(run.dir, 'quarantine.parquet')} had been written already`);
    expect(run.files()).toEqual(['output.parquet', 'quarantine.parquet']);
    const report = await run.work;
    expect(report.quarantine?.rows).toBeGreaterThan(0);
  });

  it('while the first commit (the quarantine) is under way: never removes a .partial under it, both are written', async () => {
    const run = start({ sink: 'quarantine', what: 'commit' });
    await run.at.reached;
    const outcome = run.unit.interrupt();
    expect(await settled(outcome)).toBe(false);
    expect(run.files()).toEqual(['output.parquet.partial', 'quarantine.parquet.partial']);
    run.at.open();
    expect(await outcome).toMatch(/output\.parquet and .*quarantine\.parquet had been written already$/);
    expect(run.files()).toEqual(['output.parquet', 'quarantine.parquet']);
  });

  it('before any commit (mid-file): aborts both, and no commit may start after it', async () => {
    const run = start({ sink: 'output', what: 'write' });
    await run.at.reached;
    expect(await run.unit.interrupt()).toBe('nothing was written');
    expect(run.files()).toEqual([]);
    run.at.open();
    await expect(run.work).rejects.toThrow();
    expect(run.files()).toEqual([]);
  });

  it('a commit refused after an interruption names its output', async () => {
    const unit = new OutputCommitUnit();
    const dir = mkdtempSync(join(root, 'late-'));
    const output = unit.add(openOutput(join(dir, 'late.parquet'), {}));
    await output.write(new Uint8Array([1, 2, 3]));
    expect(await unit.interrupt()).toBe('nothing was written');
    await expect(output.commit()).rejects.toThrow(CommitAfterInterruption);
    await expect(output.commit()).rejects.toThrow(`${join(dir, 'late.parquet')}: not committed: the command was interrupted`);
    expect(readdirSync(dir)).toEqual([]);
  });

  // A failed commit is not the signal's doing: the engine aborts what it had not committed, as without a signal (the
  // quarantine committed first stays), and the message says what is there.
  it('the second commit fails during the wait: the rest is aborted, and the message names what had been written', async () => {
    const run = start({ sink: 'output', what: 'commit' });
    await run.at.reached;
    const outcome = run.unit.interrupt();
    run.at.open(new Error('disk full'));
    expect(await outcome).toBe(`${join(run.dir, 'quarantine.parquet')} had been written already`);
    await expect(run.work).rejects.toThrow('disk full');
    expect(run.files()).toEqual(['quarantine.parquet']);
  });
});
