// The bus's nkeys on disk: one seed per role, each in a directory of its own (`<dir>/<role>/<role>.nk`, 0600) so a
// deployment can hand each service only its own, and `<dir>/nats.conf`, the server's authorization (public keys only).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { BUS_ROLES, type BusRole } from '@sluice/contracts';
import { renderBusAuthorization, type ExtraBusUser } from './bus-authorization';

export interface BusCredentials {
  dir: string;
  publicKeys: Record<BusRole, string>;
  seedFiles: Record<BusRole, string>;
  /** nats-server configuration: `nats-server -c <configFile>`. */
  configFile: string;
  /** Roles whose seed this call generated (the others were kept). */
  created: BusRole[];
}

export const seedFileOf = (dir: string, role: BusRole): string => join(dir, role, `${role}.nk`);
export const natsConfigFileOf = (dir: string): string => join(dir, 'nats.conf');

/** The public key of a user seed, or an error that names the file and never shows its content. */
export function publicKeyOfSeed(seed: string, where: string): string {
  const trimmed = seed.trim();
  let key: string | undefined;
  try {
    key = trimmed.startsWith('SU') ? fromSeed(new TextEncoder().encode(trimmed)).getPublicKey() : undefined;
  } catch {
    key = undefined;
  }
  if (!key) throw new Error(`${where} does not hold an nkey user seed (one line starting with SU)`);
  return key;
}

/**
 * Keeps every seed already in `dir` and generates the missing ones, then writes nats.conf from all public keys:
 * running it again (a restarted init container) changes nothing.
 */
export function ensureBusCredentials(dir: string, extraUsers: ExtraBusUser[] = []): BusCredentials {
  const publicKeys = {} as Record<BusRole, string>;
  const seedFiles = {} as Record<BusRole, string>;
  const created: BusRole[] = [];
  for (const role of BUS_ROLES) {
    const file = seedFileOf(dir, role);
    mkdirSync(join(dir, role), { recursive: true, mode: 0o700 });
    if (!existsSync(file)) {
      // 'wx': never overwrite a seed that appeared meanwhile.
      writeFileSync(file, `${new TextDecoder().decode(createUser().getSeed())}\n`, { mode: 0o600, flag: 'wx' });
      created.push(role);
    }
    chmodSync(file, 0o600);
    publicKeys[role] = publicKeyOfSeed(readFileSync(file, 'utf8'), file);
    seedFiles[role] = file;
  }
  const configFile = natsConfigFileOf(dir);
  writeFileSync(configFile, renderBusAuthorization(publicKeys, extraUsers), { mode: 0o644 });
  return { dir, publicKeys, seedFiles, configFile, created };
}
