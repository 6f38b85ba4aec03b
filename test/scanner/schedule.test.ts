// SCHEDULE_CRON: the scanner requests incremental runs on its own schedule (deployments outside AWS).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServiceProcess } from '@sluice/embedded';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineHarness, waitFor, type PipelineHarness } from '../support';

describe('scanner schedule', () => {
  let h: PipelineHarness;

  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startService('scanner', { SCHEDULE_CRON: '*/2 * * * * *' }); // every 2 seconds (croner's seconds field)
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('requests an incremental run at each tick, recorded as requested by the schedule', async () => {
    const runs = await waitFor(async () => {
      const all = (await h.runs.list()).filter((r) => r.requestedBy === 'schedule' && r.state === 'succeeded');
      return all.length >= 2 ? all : undefined;
    }, { what: 'two scheduled runs', timeoutMs: 15_000 });
    expect(runs.every((r) => r.intent === 'incremental')).toBe(true);
  });

  it('refuses an invalid cron expression at start-up with one clear line', async () => {
    const logFile = join(h.logDir, 'bad-scanner.log');
    const scanner = startServiceProcess('scanner', { env: { ...h.envFor('scanner'), SCHEDULE_CRON: 'every monday' }, logFile });
    const { code } = await scanner.exited;
    expect(code).toBe(1);
    const lines = (await readFile(logFile, 'utf8')).split('\n').filter((l) => l.startsWith('sluice scanner:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/SCHEDULE_CRON "every monday" is not a valid cron expression/);
  });
});
