// NATS_URL as operators write it: one or more comma-separated servers, with or without a scheme (`nats://`,
// `tls://`, `ws://`, or none), optionally with credentials in the user-info (`user:pass@host`, or `token@host`).
// nats.js ignores user-info, so we take the credentials out here: the client gets them as options, and the servers
// are kept (and printed) without them. The one reading of NATS_URL: the env schema checks it with these functions,
// libs/messaging connects with them, and libs/observability masks user-info decoded as they decode it.
import { ConfigError } from './load-env';

export type UrlCredentials = { user: string; pass: string } | { token: string };

export interface NatsServers {
  /** Each server as given, minus its user-info. */
  servers: string[];
  /** Credentials from the user-info: `user:pass@` gives a user and password, `token@` a token. */
  credentials?: UrlCredentials;
}

const SCHEME = /^([a-z][a-z0-9+.-]*:\/\/)?(.*)$/is;
/** host, host:port, [ipv6]:port, optionally a path (websocket servers): what we print of a server. */
const PRINTABLE_HOST = /^(?:[\w.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?(?:\/[^\s@]*)?$/i;

interface SplitServer {
  server: string;
  userInfo?: string;
}

/**
 * Cuts the user-info off one server. It runs up to the LAST `@`: a raw `@` or `/` in a password is common, and a
 * credential must never be mistaken for a host (a websocket path containing `@` is the price).
 */
function splitServer(entry: string): SplitServer {
  const [, scheme = '', rest] = SCHEME.exec(entry.trim())!;
  const at = rest.lastIndexOf('@');
  if (at === -1) return { server: `${scheme}${rest}` };
  return { server: `${scheme}${rest.slice(at + 1)}`, userInfo: rest.slice(0, at) };
}

function entries(natsUrl: string): string[] {
  return natsUrl
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Percent-decoded user-info; as written when it is not valid percent-encoding (a raw `%` in a password). */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function credentialsOf(userInfo: string): UrlCredentials | undefined {
  if (userInfo === '') return undefined;
  const colon = userInfo.indexOf(':');
  if (colon === -1) return { token: safeDecode(userInfo) };
  return { user: safeDecode(userInfo.slice(0, colon)), pass: safeDecode(userInfo.slice(colon + 1)) };
}

/** The servers to connect to and the credentials the URL carries; every server must carry the same ones (or none). */
export function parseNatsServers(natsUrl: string): NatsServers {
  const split = entries(natsUrl).map(splitServer);
  const infos = userInfosOf(split);
  if (infos.length > 1) throw new ConfigError([`NATS_URL: ${DIFFERENT_CREDENTIALS}`]);
  return { servers: split.map((s) => s.server), credentials: infos[0] === undefined ? undefined : credentialsOf(infos[0]) };
}

// Never say which: the difference would be printed.
const DIFFERENT_CREDENTIALS = 'its servers carry different credentials; give one set (or use NATS_USER/NATS_PASSWORD, NATS_TOKEN)';

/** What is wrong with NATS_URL itself, for the env schema to report with every other bad key; undefined when nothing. */
export function natsUrlProblem(natsUrl: string): string | undefined {
  return userInfosOf(entries(natsUrl).map(splitServer)).length > 1 ? DIFFERENT_CREDENTIALS : undefined;
}

const userInfosOf = (split: SplitServer[]) => [...new Set(split.map((s) => s.userInfo).filter((u): u is string => u !== undefined && u !== ''))];

/**
 * Where we connect, for logs and errors: scheme, host and port of each server, never a credential — whatever the
 * URL's form. Anything that does not look like a host (a password cut at a comma, say) is not printed.
 */
export function describeNatsUrl(natsUrl: string): string {
  return entries(natsUrl)
    .map((entry) => {
      const { server } = splitServer(entry);
      const [, scheme = '', host] = SCHEME.exec(server)!;
      return PRINTABLE_HOST.test(host) ? `${scheme}${host}` : `${scheme}<unprintable server>`;
    })
    .join(',');
}
