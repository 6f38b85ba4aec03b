#!/usr/bin/env node
// `cdk synth|deploy` entry point (see infra/README.md): context flags choose NATS mode, source, schedule and sizes.
import { App } from 'aws-cdk-lib';
import { buildSluice, findRepoRoot } from '../lib/app';

const app = new App();
buildSluice(app, findRepoRoot(__dirname));
app.synth();
