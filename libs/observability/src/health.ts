// `/health` (200 only when the service is ready: connected to NATS and its streams exist) and `/metrics`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { registry } from './metrics';

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean | string>;
}

export interface HttpEndpoint {
  port: number;
  close(): Promise<void>;
}

export async function startHttpEndpoint(opts: { port: number; readiness: () => Promise<Readiness>; logger: Logger }): Promise<HttpEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/health') {
      opts
        .readiness()
        .then((r) => res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(r)))
        .catch((error: Error) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: false, error: error.message })));
      return;
    }
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
        .catch((error: Error) => res.writeHead(500).end(error.message));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE' ? `HTTP_PORT ${opts.port} is already in use (set another, or 0 to turn /health and /metrics off)` : error.message)),
    );
    server.listen(opts.port, '0.0.0.0', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info({ port }, 'health and metrics endpoint listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
