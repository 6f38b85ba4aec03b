// `sluice bus-auth init --dir <d>`: the nkeys of an authenticated bus for a deployment of your own (docker-compose's
// init service runs it): one seed per role, the nats-server authorization that goes with them, and what to do next.
import { chownSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BUS_ROLES, type BusRole } from '@sluice/contracts';
import { ensureBusCredentials, type BusCredentials } from '@sluice/messaging';

/** The roles the CDK stack runs a task for (the observer is for people, not tasks). */
export const STACK_ROLES: BusRole[] = ['scanner', 'transformer', 'capacity-manager', 'operator'];
export const DEFAULT_SEED_SECRET_PREFIX = 'sluice/nats/';

const PURPOSE: Record<BusRole, string> = {
  scanner: 'the scanner',
  transformer: "transformers (and a local capacity manager's WORKER_NATS_NKEY_SEED_FILE)",
  'capacity-manager': 'the capacity manager',
  operator: 'the CLI: run, cancel, plan, status, dlq',
  observer: 'read-only: status, dlq list, following runs',
};

export function busAuthInitCommand(opts: { dir: string; json?: boolean; secretPrefix?: string; owner?: string }): number {
  const owner = opts.owner === undefined ? undefined : parseOwner(opts.owner);
  const bus = ensureBusCredentials(resolve(opts.dir));
  if (owner) {
    // Run as root in an init container: the services read their seed as the image's unprivileged user.
    for (const file of Object.values(bus.seedFiles)) {
      chownSync(dirname(file), owner.uid, owner.gid);
      chownSync(file, owner.uid, owner.gid);
    }
  }
  if (opts.json) {
    console.log(JSON.stringify({ dir: bus.dir, configFile: bus.configFile, seedFiles: bus.seedFiles, publicKeys: bus.publicKeys, created: bus.created }, null, 2));
    return 0;
  }
  for (const line of describeBusCredentials(bus, opts.secretPrefix ?? DEFAULT_SEED_SECRET_PREFIX)) console.log(line);
  return 0;
}

/** `1000:1000` → { uid, gid }; numbers only, so no user database is needed in the container. */
export function parseOwner(text: string): { uid: number; gid: number } {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new Error(`--owner must be <uid>:<gid> in numbers, e.g. 1000:1000 (got "${text}")`);
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/** What was written and how to use it; public keys and file paths only, never a seed. */
export function describeBusCredentials(bus: BusCredentials, secretPrefix: string): string[] {
  const kept = BUS_ROLES.length - bus.created.length;
  const width = Math.max(...BUS_ROLES.map((r) => r.length));
  return [
    `bus credentials in ${bus.dir}: ${bus.created.length} seed(s) generated, ${kept} kept`,
    `  nats-server authorization (public keys only): ${bus.configFile}`,
    `    nats-server --jetstream -c ${bus.configFile}   (add your own listen/store/TLS settings)`,
    `  seeds (0600, one directory per role: give each service only its own, as NATS_NKEY_SEED_FILE):`,
    ...BUS_ROLES.map((r) => `    ${r.padEnd(width)}  ${bus.seedFiles[r]}  ${PURPOSE[r]}`),
    `  public keys:`,
    ...BUS_ROLES.map((r) => `    ${r.padEnd(width)}  ${bus.publicKeys[r]}`),
    `  on AWS (infra/): one Secrets Manager secret per task role, then the public keys as context:`,
    ...STACK_ROLES.map((r) => `    aws secretsmanager create-secret --name ${secretPrefix}${r} --secret-string file://${bus.seedFiles[r]}`),
    `    npm run cdk -- deploy -c natsPublicKeys=${STACK_ROLES.map((r) => `${r}=${bus.publicKeys[r]}`).join(',')}`,
  ];
}
