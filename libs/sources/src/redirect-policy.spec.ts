import { describe, expect, it } from 'vitest';
import { decideRedirect, MAX_REDIRECTS, printableUrl, type RedirectRequest } from './redirect-policy';

const source = new URL('https://d37ci6vzurychx.cloudfront.net/trip-data/');
const from = new URL('https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_2024-01.parquet');
const decide = (location: string | undefined, more: Partial<RedirectRequest> = {}) =>
  decideRedirect({ source, from, status: 302, location, hops: 0, allowedHosts: [], ...more });
const followed = (d: ReturnType<typeof decideRedirect>) => ('follow' in d ? d.follow.href : `refused: ${d.refuse}`);

describe('decideRedirect', () => {
  it('follows https on the same host, relative Locations included', () => {
    expect(followed(decide('/other/path.parquet'))).toBe('https://d37ci6vzurychx.cloudfront.net/other/path.parquet');
    expect(followed(decide('https://d37ci6vzurychx.cloudfront.net/x?sig=1'))).toBe('https://d37ci6vzurychx.cloudfront.net/x?sig=1');
  });

  it('refuses another host unless it is allow-listed (by name, or name:port)', () => {
    const to = 'https://nyc-tlc.s3.amazonaws.com/trip%20data/x.parquet?X-Amz-Signature=secret';
    const refused = decide(to);
    expect(refused).toEqual({
      refuse:
        'HTTP 302 from d37ci6vzurychx.cloudfront.net to https://nyc-tlc.s3.amazonaws.com/trip%20data/x.parquet: ' +
        "nyc-tlc.s3.amazonaws.com is neither the source's host (d37ci6vzurychx.cloudfront.net) nor on SOURCE_HTTP_REDIRECT_HOSTS",
    });
    expect(JSON.stringify(refused)).not.toContain('secret');
    expect(followed(decide(to, { allowedHosts: ['nyc-tlc.s3.amazonaws.com'] }))).toBe(to);
    expect(followed(decide(to, { allowedHosts: ['NYC-TLC.s3.amazonaws.com'] }))).toBe(to);
    expect(followed(decide('https://mirror.example:8443/x', { allowedHosts: ['mirror.example:8443'] }))).toBe('https://mirror.example:8443/x');
    expect(followed(decide('https://mirror.example:9443/x', { allowedHosts: ['mirror.example:8443'] }))).toMatch(/^refused: .*neither/);
    expect(followed(decide('https://evil.cloudfront.net.example/x', { allowedHosts: ['cloudfront.net'] }))).toMatch(/^refused/);
  });

  it('never downgrades https to plain http: not on the same host, not to an allow-listed one', () => {
    expect(followed(decide('http://d37ci6vzurychx.cloudfront.net/x'))).toMatch(/^refused: .*a downgrade from https to plain http/);
    expect(followed(decide('http://mirror.example/x', { allowedHosts: ['mirror.example'] }))).toMatch(/downgrade/);
    // nor later in a chain that began on https
    const hop = new URL('https://mirror.example/x');
    expect(followed(decide('http://mirror.example/y', { from: hop, allowedHosts: ['mirror.example'] }))).toMatch(/downgrade/);
  });

  it('the same host means the same port; http → https on the same name is an upgrade', () => {
    const local = new URL('http://127.0.0.1:8080/trip-data/');
    const at = (location: string) => followed(decideRedirect({ source: local, from: local, status: 301, location, hops: 0, allowedHosts: [] }));
    expect(at('http://127.0.0.1:8080/a')).toBe('http://127.0.0.1:8080/a');
    expect(at('http://127.0.0.1:9090/a')).toMatch(/^refused/);
    expect(at('https://127.0.0.1/a')).toBe('https://127.0.0.1/a');
    expect(at('http://127.0.0.2:8080/a')).toMatch(/^refused/);
  });

  it('from a plain http source, another host only over https, even an allow-listed one', () => {
    const local = new URL('http://127.0.0.1:8080/trip-data/');
    const at = (location: string) =>
      followed(decideRedirect({ source: local, from: local, status: 302, location, hops: 0, allowedHosts: ['mirror.example'] }));
    expect(at('http://mirror.example/a')).toMatch(/^refused: .*another host only over https/);
    expect(at('https://mirror.example/a')).toBe('https://mirror.example/a');
  });

  it('refuses a redirect with no or a bad Location, credentials, another scheme, or one hop too many', () => {
    expect(decide(undefined)).toEqual({ refuse: 'HTTP 302 from d37ci6vzurychx.cloudfront.net without a Location' });
    expect(followed(decide('https://[::1'))).toMatch(/invalid Location/);
    expect(followed(decide('https://user:pw@d37ci6vzurychx.cloudfront.net/x'))).toMatch(/credentials/);
    expect(followed(decide('file:///etc/passwd'))).toMatch(/not an HTTP\(S\) URL/);
    expect(followed(decide('/x', { hops: MAX_REDIRECTS - 1 }))).toBe('https://d37ci6vzurychx.cloudfront.net/x');
    expect(followed(decide('/x', { hops: MAX_REDIRECTS }))).toMatch(/too many redirects/);
  });

  it('prints URLs without their query', () => {
    expect(printableUrl(new URL('https://h.example:444/a/b?sig=s#f'))).toBe('https://h.example:444/a/b');
  });
});
