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

  it('refuses an invalid cron expression at start-up, in the one config error that lists every bad key', async () => {
    const logFile = join(h.logDir, 'bad-scanner.log');
    const base = h.envFor('scanner');
    const env = { ...base, SCHEDULE_CRON: 'every monday', SCHEDULE_TIMEZONE: 'Mars/Olympus_Mons', TEST_SINK_URL: `${base.SINK_URL}/` };
    const scanner = startServiceProcess('scanner', { env, logFile });
    const { code } = await scanner.exited;
    expect(code).toBe(2); // a config error: refused before connecting to anything
    const output = await readFile(logFile, 'utf8');
    expect(output.split('\n').filter((l) => l.startsWith('sluice scanner:'))).toEqual(['sluice scanner: invalid configuration:']);
    const problems = output.split('\n').filter((l) => l.startsWith('  - '));
    expect(problems).toHaveLength(3);
    expect(problems).toContain('  - TEST_SINK_URL: must not be SINK_URL: test_subset never writes to the production prefix');
    expect(problems).toContain('  - SCHEDULE_TIMEZONE: must be an IANA time zone, e.g. UTC or America/New_York');
    expect(problems.find((l) => l.startsWith('  - SCHEDULE_CRON: "every monday" is not a valid cron expression: '))).toBeDefined();
  });
});
