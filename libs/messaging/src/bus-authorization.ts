// Renders nats-server's `authorization { … }` block from the role permissions (libs/contracts/src/bus-permissions.ts):
// one nkey user per role, deny by default, no anonymous user. Only public keys go in: the text is not a secret.
import { fromPublic } from '@nats-io/nkeys';
import { BUS_ROLES, busPermissions, DENIED_TO_EVERY_ROLE, inboxPrefixFor, type BusPermissions, type BusRole } from '@sluice/contracts';

/** A user outside the roles, e.g. the test suite's own admin connection: exactly the permissions given. */
export interface ExtraBusUser {
  comment: string;
  publicKey: string;
  permissions: BusPermissions;
}

/** Everything (tests only: the test's own connection publishes forged messages and inspects every stream). */
export const ALL_SUBJECTS: BusPermissions = { publish: ['>'], subscribe: ['>'], allowResponses: false };

/** A user nkey's public half: `U` and 55 more base32 characters. */
export function isUserPublicKey(key: string): boolean {
  if (!/^U[A-Z2-7]{55}$/.test(key)) return false;
  try {
    fromPublic(key);
    return true;
  } catch {
    return false;
  }
}

/** Every role's public key is required: a role left out could not connect, and a guessed key must not slip in. */
export function renderBusAuthorization(keys: Record<BusRole, string>, extraUsers: ExtraBusUser[] = []): string {
  const bad = BUS_ROLES.filter((role) => !isUserPublicKey(keys[role] ?? ''));
  if (bad.length > 0) throw new Error(`not a user public nkey (U…, 56 characters) for: ${bad.join(', ')}`);
  const seen = new Set<string>();
  for (const key of [...BUS_ROLES.map((r) => keys[r]), ...extraUsers.map((u) => u.publicKey)]) {
    if (seen.has(key)) throw new Error(`the same public nkey is given to two users: ${key}`);
    seen.add(key);
  }
  const users = [
    ...BUS_ROLES.map((role) => ({
      comment: role,
      publicKey: keys[role],
      permissions: busPermissions(role, (r) => inboxPrefixFor(keys[r])),
      deny: DENIED_TO_EVERY_ROLE,
    })),
    ...extraUsers.map((u) => ({ ...u, deny: [] })),
  ];
  return [
    '# sluice: one nkey user per role (public keys only; the seeds stay with each service). Deny by default.',
    '# Generated from libs/contracts/src/bus-permissions.ts; regenerate rather than edit.',
    'authorization {',
    '  # A user without permissions of its own may do nothing; there is no anonymous user.',
    '  default_permissions: { publish: { deny: [">"] }, subscribe: { deny: [">"] } }',
    '  users: [',
    ...users.flatMap((u) => [`    # ${u.comment}`, `    ${renderUser(u.publicKey, u.permissions, u.deny)}`]),
    '  ]',
    '}',
    '',
  ].join('\n');
}

function renderUser(publicKey: string, p: BusPermissions, deny: readonly string[]): string {
  const list = (subjects: readonly string[]) => `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`;
  const denied = deny.length > 0 ? `, deny: ${list(deny)}` : '';
  const publish = `publish: { allow: ${list(p.publish)}${denied} }`;
  const subscribe = `subscribe: { allow: ${list(p.subscribe)}${denied} }`;
  // allow_responses: once per request received, within the server's default 2 minutes.
  const responses = p.allowResponses ? ', allow_responses: true' : '';
  return `{ nkey: ${JSON.stringify(publicKey)}, permissions: { ${publish}, ${subscribe}${responses} } }`;
}
