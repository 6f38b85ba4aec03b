// `cdk synth` as a user runs it (infra/cdk.json → npx tsx bin/sluice.ts), with context flags from the command line.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, TEST_NATS_PUBLIC_KEYS_FLAG } from './synth-support';

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), 'sluice-cdk-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk synth (the CLI)', () => {
  it('synthesizes the Sluice stack from infra/ with -c flags, and fails on a bad one', async () => {
    const cdk = join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
    const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
    const args = ['synth', '--no-notices', '--no-version-reporting', '-q', '-o', outdir, '-c', 'workersMax=6', '-c', 'schedule=cron(0 3 ? * TUE *)'];
    args.push('-c', `natsPublicKeys=${TEST_NATS_PUBLIC_KEYS_FLAG}`); // as `sluice bus-auth init` prints it
    await run(cdk, args, { cwd: join(REPO_ROOT, 'infra'), env, timeout: 90_000 });
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(true);
    const template = JSON.parse(readFileSync(join(outdir, 'Sluice.template.json'), 'utf8'));
    const schedule = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 3 ? * TUE *)');
    const capacity = Object.values<any>(template.Resources)
      .filter((r) => r.Type === 'AWS::ECS::TaskDefinition')
      .map((r) => r.Properties.ContainerDefinitions[0])
      .find((c) => c.Name === 'capacity-manager');
    expect(capacity.Environment).toContainEqual({ Name: 'WORKERS_MAX', Value: '6' });

    const failed = await run(cdk, ['synth', '--no-notices', '-q', '-o', outdir, '-c', 'nats=external'], { cwd: join(REPO_ROOT, 'infra'), env, timeout: 90_000 }).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toContain('natsUrl: required with -c nats=external');

    // The stack's own NATS without the roles' public keys: no open bus is synthesized.
    const open = await run(cdk, ['synth', '--no-notices', '-q', '-o', outdir], { cwd: join(REPO_ROOT, 'infra'), env, timeout: 90_000 }).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    );
    expect(open?.code).not.toBe(0);
    expect(open?.stderr).toContain("natsPublicKeys: required for the stack's own NATS");
  }, 120_000);
});
