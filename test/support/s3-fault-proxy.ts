// A fault-injecting HTTP proxy on loopback in front of the S3-compatible server: chosen requests get a 500, a
// 503 SlowDown, a 403 AccessDenied, a connection reset, no answer at all, a late answer, or are held until the test
// lets them through; everything else is forwarded. It also
// records every request it sees (what a client asked, and what it was answered), so a test can check each call a
// service made: it forwards any HTTP, so it also stands in front of the fake ECS API and task-protection endpoint.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; code: string }
  | { kind: 'reset' }
  | { kind: 'stall' }
  /** Forwarded whole, this long after the request has arrived (a slow write: widens the window after it). */
  | { kind: 'delay'; ms: number }
  /** Forwarded whole once `until` resolves: the test decides when (e.g. holds a commit open while it signals the client). */
  | { kind: 'hold'; until: Promise<void> };

export const FAULTS = {
  internalError: { kind: 'status', status: 500, code: 'InternalError' },
  slowDown: { kind: 'status', status: 503, code: 'SlowDown' },
  accessDenied: { kind: 'status', status: 403, code: 'AccessDenied' },
  noSuchBucket: { kind: 'status', status: 404, code: 'NoSuchBucket' },
  reset: { kind: 'reset' },
  stall: { kind: 'stall' },
} as const satisfies Record<string, Fault>;

export interface FaultRule {
  method?: string;
  /** Matched against the decoded path, e.g. `/sluice-sink/fhvhv/year=2024/…`. */
  path: RegExp;
  fault: Fault;
  /** How many matching requests get the fault (default: all). */
  times?: number;
  /** Matching requests let through before the fault starts (default 0): a fault in the middle of a ranged read. */
  after?: number;
}

/** One request as the proxy saw it. */
export interface RecordedRequest {
  method: string;
  /** As sent: the encoded path and query string. */
  url: string;
  /** Lower-case names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The first RECORDED_BODY_BYTES of the body, as UTF-8 (XML and JSON requests are whole; data uploads are cut). */
  body: string;
  /** The status the client got; undefined while the request is in flight or when the connection broke. */
  status?: number;
}

/** Bodies are recorded up to this size: enough for any XML or JSON request, not for the data of an upload. */
export const RECORDED_BODY_BYTES = 256 * 1024;

export interface S3FaultProxy {
  endpoint: string;
  /** Every request received, in arrival order (faulted ones too). */
  recorded: RecordedRequest[];
  add(rule: FaultRule): void;
  /** The faults are over: every request is forwarded again. */
  clear(): void;
  /** Requests that got a fault: method, path, fault kind. */
  injected: Array<{ method: string; path: string; fault: string }>;
  stop(): Promise<void>;
}

export async function startS3FaultProxy(target: string): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const rules: Array<FaultRule & { left: number; skip: number }> = [];
  const injected: S3FaultProxy['injected'] = [];
  const sockets = new Set<Socket>();
  const recorded: RecordedRequest[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const record: RecordedRequest = { method: req.method ?? '?', url: req.url ?? '/', headers: { ...req.headers }, body: '' };
    recorded.push(record);
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (bodyBytes >= RECORDED_BODY_BYTES) return;
      record.body += chunk.subarray(0, RECORDED_BODY_BYTES - bodyBytes).toString('utf8');
      bodyBytes += chunk.length;
    });
    res.on('finish', () => (record.status = res.statusCode));
    let rule = rules.find((r) => r.left > 0 && (!r.method || r.method === req.method) && r.path.test(path));
    if (rule && rule.skip > 0) {
      rule.skip -= 1;
      rule = undefined;
    }
    const forward = (body?: Buffer) => {
      const upstreamRequest = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstreamRequest.on('error', () => res.destroy());
      if (body) upstreamRequest.end(body);
      else req.pipe(upstreamRequest);
    };
    if (rule) {
      rule.left -= 1;
      injected.push({ method: req.method ?? '?', path, fault: rule.fault.kind === 'status' ? rule.fault.code : rule.fault.kind });
      const fault = rule.fault;
      if (fault.kind === 'delay') {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => setTimeout(() => forward(Buffer.concat(chunks)), fault.ms));
        return;
      }
      if (fault.kind === 'hold') {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => void fault.until.then(() => forward(Buffer.concat(chunks))));
        return;
      }
      req.resume();
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'stall') return; // never answer; the client's request timeout must fire
      res.writeHead(fault.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected ${fault.code}</Message><Resource>${path}</Resource></Error>`);
      return;
    }
    forward();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    recorded,
    add: (rule) => void rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY, skip: rule.after ?? 0 }),
    clear: () => void rules.splice(0),
    injected,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
