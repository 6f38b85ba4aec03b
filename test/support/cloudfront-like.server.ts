// A loopback HTTP server that behaves like the TLC's CloudFront distribution: GET and HEAD with ETag,
// Content-Length, Last-Modified and single Range requests; If-Match honoured (412); a month that is not
// published answers 403 with an HTML body. Tests can make chosen keys answer 503 or stall, hold the reads of one part
// of a file until they release them (to stop a reader mid-file), and replace a file after a number of requests (to
// replace it mid-read). For the HTTP security tests it can also serve over TLS, on
// another loopback address, redirect a key elsewhere, and behave like a server without Range support (200 and the
// whole file); every request records the If-Match it carried and the body bytes the server managed to send.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface Published {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
}

/** Writes the body with backpressure, so that a client that stops reading stops the transfer (bytes counts stay true). */
function sendBody(res: ServerResponse, body: Uint8Array): void {
  const CHUNK = 64 * 1024;
  if (body.length <= CHUNK) {
    res.end(body);
    return;
  }
  const chunks = function* () {
    for (let at = 0; at < body.length; at += CHUNK) yield body.subarray(at, at + CHUNK);
  };
  pipeline(Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK }), res).catch(() => undefined); // the client hung up
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
  /** Ranged GETs of name whose range covers byte `offset` are held, unanswered (recorded with status 0), until release(name). */
  holdReadsAt(name: string, offset: number): void;
  /** Ends holdReadsAt: the held requests are answered now, by what the server would answer now (e.g. 403 once unpublished). */
  release(name: string): void;
  /** After `afterGets` more ranged GETs of name, its content is replaced by `bytes`. */
  replaceDuringRead(name: string, afterGets: number, bytes: Uint8Array): void;
  /** Requests for name answer `status` (default 302) with this Location (until cleared with undefined). */
  redirect(name: string, location: string | undefined, status?: number): void;
  /** On: Range is ignored, as by a server without range support (200 and the whole file). */
  ignoreRange(on?: boolean): void;
  /** bytes: body bytes handed to the socket for that answer (known once the answer has ended or been cut). */
  requests: Array<{ method: string; name: string; range?: string; ifMatch?: string; status: number; bytes: number }>;
  /** TCP connections accepted (a TLS handshake the client refuses still counts one). */
  connections: number;
  stop(): Promise<void>;
}

export interface CloudFrontLikeOptions {
  /** Loopback address to listen on (default 127.0.0.1; 127.0.0.2 is "another host" for redirect tests). */
  host?: string;
  /** Serve HTTPS with this certificate (PEM). */
  tls?: { cert: string; key: string };
}

export async function startCloudFrontLike(prefix = '/trip-data/', options: CloudFrontLikeOptions = {}): Promise<CloudFrontLike> {
  const files = new Map<string, Published>();
  const failures = new Map<string, { status: number; times: number }>();
  const stalled = new Set<string>();
  const holdAt = new Map<string, number>();
  const held: Array<{ name: string; answer: () => void }> = [];
  const replacements = new Map<string, { afterGets: number; bytes: Uint8Array }>();
  const redirects = new Map<string, { location: string; status: number }>();
  let rangeIgnored = false;
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
    const ifMatch = req.headers['if-match'];
    const record = (status: number) => {
      const entry = { method: req.method ?? '?', name, range: req.headers.range, ifMatch, status, bytes: 0 };
      requests.push(entry);
      // bytes written minus the headers: what this answer's body put on the wire (or into the socket's buffer)
      const socket = req.socket;
      const socketBytesAtStart = socket.bytesWritten;
      const headerBytes = () => (res as unknown as { _header?: string })._header?.length ?? 0;
      const count = () => void (entry.bytes = Math.max(0, socket.bytesWritten - socketBytesAtStart - headerBytes()));
      res.once('finish', count);
      res.once('close', count);
    };
    if (stalled.has(name)) {
      hanging.add(res);
      record(0);
      return;
    }
    const heldRange = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const holdOffset = holdAt.get(name);
    if (req.method === 'GET' && heldRange && holdOffset !== undefined) {
      const [from, to] = [Number(heldRange[1]), heldRange[2] ? Number(heldRange[2]) : Number.POSITIVE_INFINITY];
      if (from <= holdOffset && holdOffset <= to) {
        // recorded as held (status 0, no body); the answer on release is recorded as a request of its own
        requests.push({ method: 'GET', name, range: req.headers.range, ifMatch, status: 0, bytes: 0 });
        hanging.add(res);
        held.push({
          name,
          answer: () => {
            hanging.delete(res);
            handle(req, res);
          },
        });
        return;
      }
    }
    const failure = failures.get(name);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      record(failure.status);
      res.writeHead(failure.status, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : 'Service Unavailable');
      return;
    }
    const redirect = redirects.get(name);
    if (redirect) {
      record(redirect.status);
      res.writeHead(redirect.status, { location: redirect.location }).end();
      return;
    }
    const file = files.get(name);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      record(403);
      res.writeHead(403, { 'content-type': 'text/html' }).end(req.method === 'HEAD' ? undefined : FORBIDDEN_HTML);
      return;
    }
    if (ifMatch && ifMatch !== file.etag) {
      record(412);
      res.writeHead(412).end();
      return;
    }
    const common = { etag: file.etag, 'last-modified': file.lastModified.toUTCString(), 'accept-ranges': rangeIgnored ? 'none' : 'bytes', 'content-type': 'application/octet-stream' };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (req.method === 'GET' && range && !rangeIgnored) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : file.bytes.length - 1, file.bytes.length - 1);
      const body = file.bytes.subarray(start, end + 1);
      record(206);
      res.writeHead(206, { ...common, 'content-length': body.length, 'content-range': `bytes ${start}-${end}/${file.bytes.length}` });
      sendBody(res, body);
      const replacement = replacements.get(name);
      if (replacement && --replacement.afterGets <= 0) {
        replacements.delete(name);
        publish(name, replacement.bytes);
      }
      return;
    }
    record(200);
    res.writeHead(200, { ...common, 'content-length': file.bytes.length });
    if (req.method === 'HEAD') res.end();
    else sendBody(res, file.bytes);
  };

  const server: Server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  let connections = 0;
  server.on('connection', () => void (connections += 1));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}${prefix}`,
    publish,
    unpublish: (name) => void files.delete(name),
    etagOf: (name) => files.get(name)?.etag,
    failNext: (name, status, times = Number.POSITIVE_INFINITY) => void failures.set(name, { status, times }),
    stall: (name, on = true) => void (on ? stalled.add(name) : stalled.delete(name)),
    holdReadsAt: (name, offset) => void holdAt.set(name, offset),
    release: (name) => {
      holdAt.delete(name);
      for (const request of held.filter((h) => h.name === name)) {
        held.splice(held.indexOf(request), 1);
        request.answer();
      }
    },
    replaceDuringRead: (name, afterGets, bytes) => void replacements.set(name, { afterGets, bytes }),
    redirect: (name, location, status = 302) => void (location ? redirects.set(name, { location, status }) : redirects.delete(name)),
    ignoreRange: (on = true) => void (rangeIgnored = on),
    requests,
    get connections() {
      return connections;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
