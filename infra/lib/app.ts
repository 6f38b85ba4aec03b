// Builds the CDK app from its context; shared by bin/sluice.ts and the tests (which synth in process).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Tags } from 'aws-cdk-lib';
import { readSettings } from './settings';
import { SluiceStack } from './sluice.stack';

export const STACK_NAME = 'Sluice';

/** Environment-agnostic (no lookups): it deploys to the account and region of the credentials `cdk deploy` uses. */
export function buildSluice(app: App, repoRoot: string): SluiceStack {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new SluiceStack(app, STACK_NAME, {
    settings,
    repoRoot,
    description: 'sluice: a clean copy of the NYC TLC trip records in S3 (scanner, capacity manager, transformers at 0, NATS, weekly run)',
  });
  Tags.of(stack).add('app', 'sluice');
  return stack;
}

/** The directory holding the Dockerfile and package.json of sluice, searched upwards from `from`. */
export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'Dockerfile')) && existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no sluice repository (Dockerfile, package.json, apps/) above ${from}`);
  }
}
