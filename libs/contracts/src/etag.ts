// How two ETags compare, wherever one is checked against another: a read pinned to a version, a manifest's source.
/** ETags compare without their quotes and weak marker: S3 returns `"abc"`, people copy `abc`. */
export function sameEtag(a: string, b: string): boolean {
  return normalizeEtag(a) === normalizeEtag(b);
}

function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
