// The service logger masks the secret values it is given wherever they reach a line: a whole error object with the
// options it carried, NestJS's own error log and trace, a base64-encoded header; URL user-info is always removed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SECRET = 'pa55-Secret-7fd2e1';

/** Logs, in a process of its own (the logger writes to fd 2 directly), what libraries hand a service's logger. */
function logLines(secrets: string[]): string {
  const script = `
    import { createLogger, NestPinoLogger } from ${JSON.stringify(join(__dirname, '..', '..', 'libs', 'observability', 'src', 'logger.ts'))};
    const logger = createLogger({ service: 't', format: 'json', secrets: ${JSON.stringify(secrets)} });
    const secret = ${JSON.stringify(SECRET)};
    // an error serialized whole, carrying the options it was given (as some clients' errors do)
    logger.error({ err: { message: 'connect failed', options: { servers: ['h'], pass: secret, note: 'x-' + secret } } }, 'start-up failed');
    // NestJS's own error log: a message and a stack trace
    new NestPinoLogger(logger).error('cannot connect to nats://alice:' + secret + '@127.0.0.1:4222', 'Error: boom ' + secret + '\\n    at x');
    // an echoed header, base64
    logger.warn({ header: 'Basic ' + Buffer.from(secret).toString('base64') }, 'rejected');
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`logging script failed: ${r.stderr}`);
  return r.stderr;
}

describe('createLogger', () => {
  it('masks the secrets it is given in every line, whatever field or message carries them (errors, Nest traces, base64)', () => {
    const masked = logLines([SECRET]);
    expect(masked.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(masked).not.toContain(SECRET);
    expect(masked).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(masked).toContain('[redacted]');
    expect(masked).toContain('cannot connect to nats://127.0.0.1:4222'); // URL user-info goes even without secrets
  });

  it('without them, the same lines would carry the secret (what the masking is for)', () => {
    expect(logLines([])).toContain(SECRET);
  });
});
