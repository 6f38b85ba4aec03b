// Which redirects an HTTP source follows. A redirect decides where the next request — with its Range and If-Match —
// goes, so it is followed only where the operator already trusts: the source's own host (same port, or https on its
// default port), or a host on SOURCE_HTTP_REDIRECT_HOSTS; never from https to plain http; a bounded number of hops.
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export const isRedirect = (status: number): boolean => REDIRECT_STATUSES.has(status);

export interface RedirectRequest {
  /** The URL the source was configured with: "the same host" means its host. */
  source: URL;
  /** The URL that answered with the redirect. */
  from: URL;
  status: number;
  location: string | undefined;
  /** Redirects already followed for this request. */
  hops: number;
  /** Host names (any port) or host:port entries that may be redirected to, over https. */
  allowedHosts: readonly string[];
}

export type RedirectDecision = { follow: URL } | { refuse: string };

/** A URL as it may appear in a message: no query (a presigned URL carries its signature there), no credentials. */
export function printableUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function decideRedirect(r: RedirectRequest): RedirectDecision {
  const what = `HTTP ${r.status} from ${r.from.host}`;
  if (!r.location) return { refuse: `${what} without a Location` };
  let to: URL;
  try {
    to = new URL(r.location, r.from);
  } catch {
    return { refuse: `${what} to an invalid Location` };
  }
  const target = `${what} to ${printableUrl(to)}`;
  if (r.hops >= MAX_REDIRECTS) return { refuse: `${target}: too many redirects (more than ${MAX_REDIRECTS})` };
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return { refuse: `${target}: not an HTTP(S) URL` };
  if (to.username || to.password) return { refuse: `${target}: the Location carries credentials` };
  if (to.protocol === 'http:' && (r.from.protocol === 'https:' || r.source.protocol === 'https:')) {
    return { refuse: `${target}: a downgrade from https to plain http` };
  }
  if (!sameHost(r.source, to) && !allowListed(to, r.allowedHosts)) {
    return { refuse: `${target}: ${to.host} is neither the source's host (${r.source.host}) nor on SOURCE_HTTP_REDIRECT_HOSTS` };
  }
  // Another host, even an allow-listed one, only over https (a plain http source may still redirect to its own host).
  if (!sameHost(r.source, to) && to.protocol !== 'https:') return { refuse: `${target}: another host only over https` };
  return { follow: to };
}

function sameHost(source: URL, to: URL): boolean {
  if (to.hostname !== source.hostname) return false;
  // http → https on the same name is an upgrade, and its port changes with the scheme
  return to.port === source.port || (source.protocol === 'http:' && to.protocol === 'https:' && to.port === '');
}

function allowListed(to: URL, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    return e === to.hostname || e === to.host;
  });
}
