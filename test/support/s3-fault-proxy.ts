// A fault-injecting HTTP proxy on loopback in front of the S3-compatible server: chosen requests get a 500, a
// 503 SlowDown, a 403 AccessDenied, a connection reset or no answer at all; everything else is forwarded.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; code: string }
  | { kind: 'reset' }
  | { kind: 'stall' };

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

export interface S3FaultProxy {
  endpoint: string;
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

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    let rule = rules.find((r) => r.left > 0 && (!r.method || r.method === req.method) && r.path.test(path));
    if (rule && rule.skip > 0) {
      rule.skip -= 1;
      rule = undefined;
    }
    if (rule) {
      rule.left -= 1;
      injected.push({ method: req.method ?? '?', path, fault: rule.fault.kind === 'status' ? rule.fault.code : rule.fault.kind });
      req.resume();
      const fault = rule.fault;
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'stall') return; // never answer; the client's request timeout must fire
      res.writeHead(fault.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected ${fault.code}</Message><Resource>${path}</Resource></Error>`);
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add: (rule) => void rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY, skip: rule.after ?? 0 }),
    clear: () => void rules.splice(0),
    injected,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
