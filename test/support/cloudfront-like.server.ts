// A loopback HTTP server that behaves like the TLC's CloudFront distribution: GET and HEAD with ETag,
// Content-Length, Last-Modified and single Range requests; If-Match honoured (412); a month that is not
// published answers 403 with an HTML body. Tests can make chosen keys answer 503 or stall, and replace a file
// after a number of requests (to replace it mid-read).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Published {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
}

const FORBIDDEN_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD>' +
  '<BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2></BODY></HTML>';

export interface CloudFrontLike {
  /** Base URL, like `https://d37ci6vzurychx.cloudfront.net/trip-data/`. */
  url: string;
  publish(name: string, bytes: Uint8Array): string;
  unpublish(name: string): void;
  etagOf(name: string): string | undefined;
  /** The next `times` requests (HEAD or GET) for name answer `status`. */
  failNext(name: string, status: number, times?: number): void;
  /** Requests for name get no answer at all (until cleared). */
  stall(name: string, on?: boolean): void;
  /** After `afterGets` more ranged GETs of name, its content is replaced by `bytes`. */
  replaceDuringRead(name: string, afterGets: number, bytes: Uint8Array): void;
  requests: Array<{ method: string; name: string; range?: string; status: number }>;
  stop(): Promise<void>;
}

export async function startCloudFrontLike(prefix = '/trip-data/'): Promise<CloudFrontLike> {
  const files = new Map<string, Published>();
  const failures = new Map<string, { status: number; times: number }>();
  const stalled = new Set<string>();
  const replacements = new Map<string, { afterGets: number; bytes: Uint8Array }>();
  const requests: CloudFrontLike['requests'] = [];
  const hanging = new Set<ServerResponse>();

  const publish = (name: string, bytes: Uint8Array) => {
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    files.set(name, { bytes, etag, lastModified: new Date(Math.floor(Date.now() / 1000) * 1000) });
    return etag;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const name = path.startsWith(prefix) ? path.slice(prefix.length) : path;
    const record = (status: number) => requests.push({ method: req.method ?? '?', name, range: req.headers.range, status });
    if (stalled.has(name)) {
      hanging.add(res);
      record(0);
      return;
    }
    const failure = failures.get(name);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      record(failure.status);
      res.writeHead(failure.status, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : 'Service Unavailable');
      return;
    }
    const file = files.get(name);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      record(403);
      res.writeHead(403, { 'content-type': 'text/html' }).end(req.method === 'HEAD' ? undefined : FORBIDDEN_HTML);
      return;
    }
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== file.etag) {
      record(412);
      res.writeHead(412).end();
      return;
    }
    const common = { etag: file.etag, 'last-modified': file.lastModified.toUTCString(), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (req.method === 'GET' && range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : file.bytes.length - 1, file.bytes.length - 1);
      const body = file.bytes.subarray(start, end + 1);
      record(206);
      res.writeHead(206, { ...common, 'content-length': body.length, 'content-range': `bytes ${start}-${end}/${file.bytes.length}` }).end(body);
      const replacement = replacements.get(name);
      if (replacement && --replacement.afterGets <= 0) {
        replacements.delete(name);
        publish(name, replacement.bytes);
      }
      return;
    }
    record(200);
    res.writeHead(200, { ...common, 'content-length': file.bytes.length });
    res.end(req.method === 'HEAD' ? undefined : file.bytes);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    publish,
    unpublish: (name) => void files.delete(name),
    etagOf: (name) => files.get(name)?.etag,
    failNext: (name, status, times = Number.POSITIVE_INFINITY) => void failures.set(name, { status, times }),
    stall: (name, on = true) => void (on ? stalled.add(name) : stalled.delete(name)),
    replaceDuringRead: (name, afterGets, bytes) => void replacements.set(name, { afterGets, bytes }),
    requests,
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
