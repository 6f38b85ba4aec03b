#!/usr/bin/env node
// `cdk synth|deploy` entry point (see infra/README.md): context flags choose NATS mode, source, schedule and sizes.
import { App } from 'aws-cdk-lib';
import { buildSluice, findRepoRoot } from '../lib/app';
import { SettingsError } from '../lib/settings';

const app = new App();
try {
  buildSluice(app, findRepoRoot(__dirname));
} catch (error) {
  // A bad -c flag is the user's to fix: say what, without a stack trace.
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
app.synth();
