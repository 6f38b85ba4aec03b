// One HTTP request and the head of its answer, over node:http(s): no redirect followed, the body left as a stream for
// the caller to read within its own bound. Node's client rather than fetch because it takes extra trusted CAs per
// agent (SOURCE_HTTP_CA_FILE), never follows a redirect by itself, and lets a body be cut after N bytes.
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { getCACertificates } from 'node:tls';

export interface HttpAnswer {
  /** The URL that answered (the last one, after redirects). */
  url: URL;
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** Not read yet: readUpTo it, or stream it. Destroyed by the client when the request fails. */
  body: IncomingMessage;
}

export interface ExchangeInit {
  method: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** The caller abandons the request (a file's deadline): it then fails with the signal's reason, never retried. */
  signal?: AbortSignal;
}

/** Keep-alive agents for one source; with caFile, its certificates are trusted besides Node's default ones. */
export class HttpTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent: https.Agent;

  constructor(opts: { caFile?: string } = {}) {
    this.httpsAgent = new https.Agent({ keepAlive: true, ca: opts.caFile ? [...getCACertificates('default'), readCaFile(opts.caFile)] : undefined });
  }

  exchange(url: URL, init: ExchangeInit, signal: AbortSignal): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const request = (secure ? https : http).request(
        url,
        { method: init.method, headers: init.headers, agent: secure ? this.httpsAgent : this.httpAgent, signal },
        (body) => {
          // a body nobody reads may still fail (reset, our abort): that must not become an uncaught 'error' event;
          // a reader sees the failure anyway, through its own iteration
          body.on('error', () => undefined);
          resolve({ url, status: body.statusCode ?? 0, statusText: body.statusMessage ?? '', headers: body.headers, body });
        },
      );
      request.on('error', reject);
      request.end();
    });
  }
}

function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`SOURCE_HTTP_CA_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`SOURCE_HTTP_CA_FILE: ${path} holds no PEM certificate`);
  return pem;
}

/**
 * Reads the body up to maxBytes. One byte more and the stream is destroyed (the server is told to stop by the
 * connection closing): nothing beyond maxBytes is ever held, whatever the server sends. The bytes come back in a
 * Uint8Array of their own (not a Buffer, which may be a view of Node's shared pool): a worker can transfer it.
 */
export async function readUpTo(body: Readable, maxBytes: number): Promise<{ bytes: Uint8Array; overflow: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let overflow = false;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    if (total + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - total));
      total = maxBytes;
      overflow = true;
      body.destroy();
      break;
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { bytes, overflow };
}

/** What an error answer may contribute to a message: a few KB of its body are read, the rest refused. */
export const ERROR_BODY_BYTES = 4 * 1024;

/** `HTTP 403 Forbidden ("…the start of a text body…")`, reading at most ERROR_BODY_BYTES of the body. */
export async function describeStatus(answer: HttpAnswer): Promise<string> {
  const status = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  if (!/^(text\/|application\/(json|xml|problem))/i.test(answer.headers['content-type'] ?? '')) {
    answer.body.destroy();
    return status;
  }
  const { bytes } = await readUpTo(answer.body, ERROR_BODY_BYTES).catch(() => ({ bytes: new Uint8Array(0) }));
  const text = Buffer.from(bytes)
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ')
    .trim();
  return text && text !== answer.statusText ? `${status} ("${text.length > 160 ? `${text.slice(0, 160)}…` : text}")` : status;
}
