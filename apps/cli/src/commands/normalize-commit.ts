// The outputs of one `sluice normalize` (the output and its quarantine) are committed as one unit with respect to
// an interruption (Ctrl-C, SIGTERM): no partial output is ever visible, so a signal may never leave one of them
// committed and the other not. Before the first commit starts, an interruption aborts them all, and no commit may
// start after it. Once a commit has started, it waits for the commit phase to end (both committed, or a commit
// failed and the engine aborted the rest): it never removes a `.partial` under a rename in flight, nor aborts an
// S3 upload whose completion is in flight.
import type { CliOutputSink } from './normalize-locations';

/** An interruption came before the commit phase: the outputs are being aborted, none may be committed. */
export class CommitAfterInterruption extends Error {
  constructor(location: string) {
    super(`${location}: not committed: the command was interrupted before its outputs were`);
  }
}

export class OutputCommitUnit {
  private readonly outputs: CliOutputSink[] = [];
  private phase: 'writing' | 'committing' | 'interrupted' = 'writing';
  /** The commit phase: the work that commits (normalize), and every commit started. */
  private readonly settling: Array<Promise<unknown>> = [];

  /** `output` as a member of the unit: its commit starts the unit's commit phase, or is refused after an interruption. */
  add(output: CliOutputSink): CliOutputSink {
    this.outputs.push(output);
    return {
      name: output.name,
      location: output.location,
      get committed() {
        return output.committed;
      },
      write: (chunk) => output.write(chunk),
      commit: () => {
        if (this.phase === 'interrupted') return Promise.reject(new CommitAfterInterruption(output.location));
        this.phase = 'committing';
        const commit = output.commit();
        this.settling.push(commit);
        return commit;
      },
      abort: () => output.abort(),
    };
  }

  /**
   * The work that writes and commits the outputs (normalize: it commits the quarantine, then the output), returned
   * as is: an interruption in the commit phase waits for it to settle, since the second commit starts only once the
   * first has ended.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.settling.push(work);
    return work;
  }

  /**
   * What a signal does: aborts every output not committed, once no commit can be under way, and says what had been
   * written already (a commit cannot be undone: the message says so rather than claim nothing was written).
   */
  async interrupt(): Promise<string> {
    if (this.phase === 'committing') {
      // `settling` may grow while we wait (the second commit starts when the first ends): wait until it stops
      for (let seen = 0; seen < this.settling.length; ) {
        const batch = this.settling.slice(seen);
        seen = this.settling.length;
        await Promise.allSettled(batch);
      }
    }
    this.phase = 'interrupted';
    await Promise.all(this.outputs.filter((o) => !o.committed).map((o) => o.abort()));
    const kept = this.outputs.filter((o) => o.committed).map((o) => o.location);
    return kept.length > 0 ? `${kept.join(' and ')} had been written already` : 'nothing was written';
  }
}
