// Structured logs: one event per line, JSON in production, pretty in a terminal. Never a secret, never a whole body.
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { createSecretScrubber } from './redaction';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level?: string;
  format?: 'json' | 'pretty';
  /** Where pretty logs go; stderr by default so a CLI's stdout stays clean for output. */
  destination?: 1 | 2;
  /**
   * Secret values this process holds (see secretValuesOf): masked in every line, whatever field or message they
   * reach (a library error that echoes an option or a header). URL user-info is removed from every line as well.
   */
  secrets?: readonly string[];
}

/** Field names whose values are replaced wherever they appear in a log record. */
const REDACT = [
  'password', '*.password', 'token', '*.token', 'secretAccessKey', '*.secretAccessKey', 'sessionToken',
  '*.sessionToken', 'authorization', '*.authorization', 'NATS_PASSWORD', 'NATS_TOKEN', 'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN', '*.NATS_PASSWORD', '*.NATS_TOKEN', '*.AWS_SECRET_ACCESS_KEY', '*.AWS_SESSION_TOKEN',
  'NATS_NKEY_SEED', '*.NATS_NKEY_SEED',
];

export function createLogger(opts: LoggerOptions): Logger {
  const format = opts.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const base = { service: opts.service, pid: process.pid };
  const scrub = createSecretScrubber(opts.secrets ?? []);
  const common = {
    level: opts.level ?? 'info',
    base,
    redact: { paths: REDACT, censor: '[redacted]' },
    // The last step before a line is written: field redaction above knows names, this knows values.
    hooks: { streamWrite: scrub },
  };
  if (format === 'pretty') {
    return pino({
      ...common,
      transport: {
        target: 'pino-pretty',
        options: { destination: opts.destination ?? 2, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l', colorize: true },
      },
    });
  }
  return pino(common, pino.destination({ fd: opts.destination ?? 2, sync: true }));
}

/** Lets Nest's own messages (module init, handler mapping) go through the same structured logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
