// Renders a followed run in a terminal: a progress bar on a TTY, one plain line per event otherwise.
import { SingleBar, Presets } from 'cli-progress';
import { describeFailure } from './failure-text';
import { describeListing, describePlanned } from './plan-listing';
import type { FollowEvent } from './run-follower';

export interface RunProgress {
  onEvent(e: FollowEvent): void;
  stop(): void;
  /** Workers asked for by the last capacity event seen. */
  readonly workers: number;
  /** Highest worker count asked for while following. */
  readonly peakWorkers: number;
}

export function createRunProgress(out: NodeJS.WriteStream = process.stdout): RunProgress {
  const tty = Boolean(out.isTTY);
  const bar = tty
    ? new SingleBar(
        { format: '  files {bar} {value}/{total} | failed {failed} | workers {workers}', hideCursor: true, stream: out, clearOnComplete: false },
        Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let done = 0;
  let failed = 0;
  let workers = 0;
  let peak = 0;
  const line = (text: string) => {
    if (bar && started) {
      out.write('\r\x1b[2K');
      out.write(`${text}\n`);
      bar.render();
    } else out.write(`${text}\n`);
  };
  const update = () => bar?.update(done + failed, { failed, workers });

  return {
    get workers() {
      return workers;
    },
    get peakWorkers() {
      return peak;
    },
    stop() {
      if (bar && started) bar.stop();
    },
    onEvent(e) {
      switch (e.kind) {
        case 'capacity':
          workers = e.event.to;
          peak = Math.max(peak, workers);
          line(`  workers ${e.event.from} → ${e.event.to}   (backlog ${e.event.backlog}: ${e.event.reason})`);
          update();
          return;
        case 'run':
          if (e.event.type === 'planned') {
            line(`  ${describeListing(e.event.listing)}`);
            line(`  ${describePlanned(e.event)}`);
            if (bar && e.event.total > 0) {
              bar.start(e.event.total, done + failed, { failed, workers });
              started = true;
            }
          } else if (e.event.type === 'rejected') line(`  rejected: ${e.event.reason}`);
          return;
        case 'file':
          if (e.event.type === 'done') {
            done += 1;
            const drops = Object.values(e.event.dropped).reduce((a, b) => a + b, 0);
            line(`  ✓ ${e.event.sourceKey}: ${e.event.rowsOut.toLocaleString('en-US')} rows out, ${drops.toLocaleString('en-US')} dropped (${(e.event.durationMs / 1000).toFixed(1)}s)`);
          } else if (e.event.type === 'failed') {
            failed += 1;
            line(`  ✗ ${e.event.sourceKey}: ${describeFailure(e.event)}`);
          } else if (e.event.type === 'skipped') line(`  - ${e.event.sourceKey}: skipped (${e.event.reason})`);
          update();
          return;
      }
    },
  };
}
