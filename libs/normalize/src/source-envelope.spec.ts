import { describe, expect, it } from 'vitest';
import { PermanentError } from '@sluice/contracts';
import { HEAD_BYTES, describeContent, locateFooter } from './source-envelope';

function check(bytes: Uint8Array): ReturnType<typeof locateFooter> {
  return locateFooter(bytes.length, bytes.subarray(0, HEAD_BYTES), bytes.subarray(Math.max(0, bytes.length - 8)));
}

function codeOf(bytes: Uint8Array): string {
  try {
    check(bytes);
  } catch (error) {
    if (error instanceof PermanentError) return error.code;
    throw error;
  }
  return 'ok';
}

const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function parquetShell(footerLength: number, claimed = footerLength): Uint8Array {
  const bytes = new Uint8Array(4 + 10 + footerLength + 8);
  bytes.set(text('PAR1'));
  new DataView(bytes.buffer).setUint32(bytes.length - 8, claimed, true);
  bytes.set(text('PAR1'), bytes.length - 4);
  return bytes;
}

describe('locateFooter', () => {
  it('finds the footer of a well-formed file', () => {
    expect(check(parquetShell(20))).toEqual({ start: 14, length: 20 });
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['not_parquet', text('<!DOCTYPE html><html>403</html>')],
    ['not_parquet', text('PAR')],
    ['truncated', text('PAR1')],
    ['truncated', parquetShell(20).subarray(0, 30)],
    ['corrupt', parquetShell(20, 1_000_000)],
  ])('fails %s', (code, bytes) => {
    expect(codeOf(bytes)).toBe(code);
  });
});

describe('describeContent', () => {
  it.each([
    ['<!DOCTYPE html>\n<html>', "starts with '<!DOCTYPE html' (an HTML error page saved as .parquet?)"],
    ['<!DOCTYPE HTML PUBLIC "-//W3C//DTD', "starts with '<!DOCTYPE HTML' (an HTML error page saved as .parquet?)"],
    ['  <html><body>', "starts with '<html' (an HTML error page saved as .parquet?)"],
    [
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code></Error>',
      `starts with '<?xml version="1.0"' (an S3 XML error response (NoSuchKey) saved as .parquet?)`,
    ],
    ['{"message":"Forbidden"}', `starts with '{"message":"Forbidden"}' (JSON, perhaps an API error response)`],
    ['ARROW1\0\0', 'starts with bytes 41 52 52 4f 57 31 00 00 (an Arrow IPC file, not Parquet)'],
    ['\x1f\x8b\x08\x00', 'starts with bytes 1f 8b 08 00 (gzip-compressed data: a compressed copy of the file?)'],
    ['PAR0xxxx', "starts with 'PAR0xxxx' (expected the magic bytes 'PAR1')"],
    [
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 47826510\n',
      "starts with 'version https://git-lfs.' (a Git LFS pointer file, not the data (the real file is 47,826,510 bytes): " +
        "fetch it with 'git lfs pull', or download the file itself)",
    ],
    [
      'HTTP/1.1 200 OK\r\nContent-Length: 47826510\r\nETag: "abc"\r\n\r\nPAR1\x15\x04',
      "starts with 'HTTP/1.1 200' (HTTP status line and headers saved in front of the file (curl -i / --include output?); " +
        'the Parquet data starts after them, at byte 58: download it again without -i)',
    ],
    [
      'HTTP/2 200\ncontent-type: binary/octet-stream\n\nPAR1',
      "starts with 'HTTP/2 200' (HTTP status line and headers saved in front of the file (curl -i / --include output?); " +
        'the Parquet data starts after them, at byte 46: download it again without -i)',
    ],
    [
      'HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n<!DOCTYPE HTML>',
      "starts with 'HTTP/1.1 403' (an HTTP 403 response saved with its headers (curl -i / --include output?): " +
        'the server did not send the file)',
    ],
  ])('describes %j', (head, description) => {
    expect(describeContent(text(head))).toBe(description);
  });

  it('names the LFS pointer and curl -i cases as not_parquet', () => {
    expect(codeOf(text('version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n'))).toBe('not_parquet');
    expect(codeOf(text('HTTP/1.1 200 OK\r\n\r\nPAR1....PAR1'))).toBe('not_parquet');
  });
});
