// No secret anywhere sluice writes, with NATS credentials of the kind "user/password" and S3 keys (no-secrets.scenario.ts).
// Also: every kind of credential has its file, so splitting the scenario by kind dropped none.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CREDENTIAL_KINDS, describeNoSecrets } from './no-secrets.scenario';

describeNoSecrets('user/password');

it('every kind of credential is tested by one no-secrets.*.test.ts file', () => {
  const files = readdirSync(__dirname).filter((f) => /^no-secrets\..+\.test\.ts$/.test(f));
  const tested = files.flatMap((f) => [...readFileSync(`${__dirname}/${f}`, 'utf8').matchAll(/^describeNoSecrets\('(.+)'\);$/gm)].map((m) => m[1]));
  expect(tested.sort()).toEqual([...CREDENTIAL_KINDS].sort());
});
