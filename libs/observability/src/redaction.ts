// Keeps credentials out of everything sluice prints. Two layers: URLs lose their user-info wherever they appear in
// a line, and every secret value the process was configured with (passwords, tokens, keys, nkey seeds) is masked
// in whatever form it shows up (raw, JSON-escaped, base64, percent-encoded) — so a library error that echoes a
// header or a connection option cannot carry one into a log line, a message or the CLI's output.
import { readFileSync } from 'node:fs';
import { safeDecode } from '@sluice/config';

export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are not masked by value: replacing two or three common letters everywhere would mangle
 * every line and protect nothing (such a value is no secret). Their URL form is still removed.
 */
export const MIN_MASKED_SECRET_LENGTH = 6;

/** `scheme://user:pass@` (user-info up to the last `@` before the host: a raw `@` in a password is common). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#@'"<>]*@)+/gi;

/** Removes the user-info of every `scheme://…@host` URL in a text; the rest of the line is left as it is. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1');
}

/** Environment keys whose values are secrets. */
const SECRET_KEYS = ['NATS_PASSWORD', 'NATS_TOKEN', 'NATS_NKEY_SEED', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
/** Keys holding URLs that may carry credentials in their user-info (several comma-separated servers for NATS). */
const URL_KEYS = ['NATS_URL', 'S3_ENDPOINT'] as const;
/** Keys naming files whose content holds secrets: an nkey seed, a creds file (user JWT + seed). */
const FILE_KEYS = ['NATS_NKEY_SEED_FILE', 'WORKER_NATS_NKEY_SEED_FILE', 'NATS_CREDS_FILE'] as const;
/** An nkey seed (`SU…`, `SA…`, `SO…`) and a JWT, as they appear in seed and creds files. */
const SEED_OR_JWT = /\bS[A-Z][A-Z2-7]{50,}\b|\beyJ[\w-]+\.[\w-]+\.[\w-]+/g;

/**
 * Every secret value a configuration holds: the credential keys, the password (or token) in URL user-info, and
 * the seeds and JWT inside the seed and creds files it names. Unreadable files are skipped (the connection
 * reports them).
 */
export function secretValuesOf(config: object, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const env = config as Record<string, unknown>;
  const text = (key: string) => (typeof env[key] === 'string' && env[key] !== '' ? (env[key] as string) : undefined);
  const secrets: string[] = [];
  for (const key of SECRET_KEYS) {
    const value = text(key);
    if (value) secrets.push(value);
  }
  for (const key of URL_KEYS) {
    for (const entry of (text(key) ?? '').split(',')) secrets.push(...userInfoSecrets(entry));
  }
  for (const key of FILE_KEYS) {
    const path = text(key);
    if (!path) continue;
    let content: string;
    try {
      content = readFile(path);
    } catch {
      continue;
    }
    const found = content.match(SEED_OR_JWT) ?? [];
    secrets.push(...(found.length > 0 ? found : [content.trim()]).filter(Boolean));
  }
  return [...new Set(secrets)];
}

/** The password of `user:pass@`, or the whole user-info when it has no password (then it is a token). */
function userInfoSecrets(entry: string): string[] {
  const rest = entry.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const at = rest.lastIndexOf('@');
  if (at <= 0) return [];
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  const secret = colon === -1 ? userInfo : userInfo.slice(colon + 1);
  if (secret === '') return [];
  const decoded = safeDecode(secret);
  return decoded === secret ? [secret] : [secret, decoded];
}

/** A function that masks every given secret (and URL user-info) in a text. */
export function createSecretScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_MASKED_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret, 'utf8').toString('base64'));
    forms.add(Buffer.from(secret, 'utf8').toString('base64url'));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is masked whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = redactUrlCredentials(text);
    for (const form of ordered) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  };
}
