// openRemoteInput when the reader cannot open the object: the worker posts the reason and ends. Its 'exit' event can
// reach this thread before the port's message (seen once in CI as "the range reader worker exited (code 0) before
// opening", which hid an access_denied). Each of many opens must fail with the reader's own error, kind and code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The built engine: the worker thread loads range-reader.worker.js next to it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { openRemoteInput } = require(resolve(__dirname, '../../dist/libs/normalize/src/io/worker-range-input.js')) as typeof import('@sluice/normalize');

const dir = mkdtempSync(join(tmpdir(), 'sluice-remote-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readerModule(body: string): string {
  const file = join(dir, `reader-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, body);
  return file;
}

describe('openRemoteInput: a reader that cannot open', () => {
  it('fails every open with the reader’s reason, never as a worker crash', async () => {
    const module = readerModule(`
      const { PipelineError } = require(${JSON.stringify(resolve(__dirname, '../../dist/libs/contracts/src/index.js'))});
      exports.openRangeReader = async () => { throw new PipelineError('permanent', 'access_denied', 'HEAD s3://b/k failed: Access Denied (HTTP 403)'); };
    `);
    for (let i = 0; i < 20; i++) {
      const opening = openRemoteInput({ module, options: {}, name: 's3://b/k' });
      // Hold this thread (as a loaded machine does) while the worker fails and ends, on every other open: both the
      // answer and the exit are then waiting when the event loop comes back.
      if (i % 2 === 1) for (const until = Date.now() + 150; Date.now() < until; );
      const error = await opening.then(
        () => undefined,
        (e: unknown) => e as { kind?: string; code?: string; message: string },
      );
      expect(error, `open #${i}`).toMatchObject({ kind: 'permanent', code: 'access_denied', message: expect.stringMatching(/HTTP 403/) });
    }
  });

  it('reports a reader module that exits the thread without answering as a crash, with its exit code', async () => {
    const module = readerModule(`exports.openRangeReader = async () => { process.exit(7); };`);
    await expect(openRemoteInput({ module, options: {}, name: 's3://b/k' })).rejects.toThrow(/exited \(code 7\) before opening s3:\/\/b\/k/);
  });
});
