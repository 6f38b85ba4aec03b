// Known-bad "Parquet" files as they turn up in the wild, for tests and fault scenarios.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as arrow from 'apache-arrow';
import { parseFooter } from '../parquet/footer';
import { encodeParquet } from '../writer';
import { generateFhvhvParquet } from './fhvhv.generator';
import { SeededRandom } from './random';

export type BadFileKind =
  | 'empty'
  | 'truncated'
  | 'html'
  | 's3-xml-error'
  | 'wrong-magic'
  | 'foreign-schema'
  | 'zero-rows'
  | 'corrupt-pages'
  | 'git-lfs-pointer'
  | 'curl-include';

export const BAD_FILE_KINDS: readonly BadFileKind[] = [
  'empty',
  'truncated',
  'html',
  's3-xml-error',
  'wrong-magic',
  'foreign-schema',
  'zero-rows',
  'corrupt-pages',
  'git-lfs-pointer',
  'curl-include',
];

/**
 * - `empty`: 0 bytes.
 * - `truncated`: a valid fhvhv file cut somewhere in its data: header fine, no footer.
 * - `html`: the 403 page CloudFront serves for a month that is not published.
 * - `s3-xml-error`: an S3 AccessDenied XML error body.
 * - `wrong-magic`: a gzip-compressed copy of a valid file.
 * - `foreign-schema`: valid Parquet with unrelated columns.
 * - `zero-rows`: valid fhvhv schema, 0 rows (not an error: it normalizes to a 0-row file).
 * - `corrupt-pages`: valid header and footer, garbage at the start of every column chunk.
 * - `git-lfs-pointer`: the Git LFS pointer committed in place of a valid file (the data never pulled).
 * - `curl-include`: `curl -i` output: the HTTP status line and headers, then a valid file.
 */
export function generateBadFile(kind: BadFileKind, seed = 1): Uint8Array {
  const random = new SeededRandom(seed);
  switch (kind) {
    case 'empty':
      return new Uint8Array(0);
    case 'truncated': {
      const file = smallFhvhv(seed);
      return file.slice(0, Math.floor(file.length * (0.4 + 0.5 * random.next())));
    }
    case 'html':
      return Buffer.from(cloudFront403(hex(random, 16)), 'latin1');
    case 's3-xml-error':
      return Buffer.from(s3AccessDenied(hex(random, 8), hex(random, 28)), 'utf8');
    case 'wrong-magic':
      return gzipSync(smallFhvhv(seed));
    case 'foreign-schema':
      return weatherObservations(random);
    case 'zero-rows':
      return generateFhvhvParquet({ month: '2024-01', rows: 0, seed });
    case 'corrupt-pages':
      return garbleColumnChunks(smallFhvhv(seed), random);
    case 'git-lfs-pointer':
      return Buffer.from(lfsPointer(smallFhvhv(seed)), 'utf8');
    case 'curl-include': {
      const file = smallFhvhv(seed);
      return Buffer.concat([Buffer.from(cloudFrontHeaders(file, hex(random, 16)), 'latin1'), file]);
    }
  }
}

function smallFhvhv(seed: number): Uint8Array {
  return generateFhvhvParquet({ month: '2024-01', rows: 2_000, seed });
}

/** Overwrites the first bytes of every column chunk (its page header) so no chunk can be decoded. */
function garbleColumnChunks(file: Uint8Array, random: SeededRandom): Uint8Array {
  const out = file.slice();
  const view = new DataView(out.buffer);
  const footerLength = view.getUint32(out.length - 8, true);
  const footerStart = out.length - 8 - footerLength;
  const footer = parseFooter(out.subarray(footerStart, out.length - 8), footerStart);
  for (const rowGroup of footer.rowGroups) {
    for (const { start, length } of rowGroup.chunks) {
      // 0xff as a thrift field header is an invalid type: the page header can never parse
      out[start] = 0xff;
      for (let i = 1; i < Math.min(16, length); i++) out[start + i] = random.int(0, 255);
    }
  }
  return out;
}

function weatherObservations(random: SeededRandom): Uint8Array {
  const rows = 100;
  const start = Date.UTC(2024, 0, 1);
  const table = new arrow.Table({
    station_id: arrow.vectorFromArray(
      Array.from({ length: rows }, () => random.pick(['USW00094728', 'USW00014732', 'USW00094789'])),
      new arrow.Utf8(),
    ),
    observed_at: arrow.vectorFromArray(
      Array.from({ length: rows }, (_, i) => start + i * 3_600_000),
      new arrow.TimestampMillisecond(),
    ),
    temperature_c: arrow.vectorFromArray(Array.from({ length: rows }, () => -5 + random.next() * 15)),
    precipitation_mm: arrow.vectorFromArray(Array.from({ length: rows }, () => (random.chance(0.2) ? random.next() * 4 : 0))),
  });
  return encodeParquet(table, { compression: 'snappy' });
}

/** What `git lfs` commits in place of the file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
function lfsPointer(file: Uint8Array): string {
  const oid = createHash('sha256').update(file).digest('hex');
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${file.length}\n`;
}

/** The response head `curl -i` prints before the body of a CloudFront 200. */
function cloudFrontHeaders(file: Uint8Array, requestId: string): string {
  return [
    'HTTP/1.1 200 OK',
    'Content-Type: binary/octet-stream',
    `Content-Length: ${file.length}`,
    'Connection: keep-alive',
    'Last-Modified: Thu, 21 Mar 2024 18:32:07 GMT',
    `ETag: "${createHash('md5').update(file).digest('hex')}"`,
    'Accept-Ranges: bytes',
    'Server: AmazonS3',
    'X-Cache: Miss from cloudfront',
    `X-Amz-Cf-Id: ${requestId}`,
    '',
    '',
  ].join('\r\n');
}

function cloudFront403(requestId: string): string {
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>403 ERROR</H1>
<H2>The request could not be satisfied.</H2>
<HR noshade size="1px">
Request blocked.
We can't connect to the server for this app or website at this time. There might be too much traffic or a configuration error. Try again later, or contact the app or website owner.
<BR clear="all">
If you provide content to customers through CloudFront, you can find steps to troubleshoot and help prevent this error by reviewing the CloudFront documentation.
<BR clear="all">
<HR noshade size="1px">
<PRE>
Generated by cloudfront (CloudFront)
Request ID: ${requestId}
</PRE>
<ADDRESS>
</ADDRESS>
</BODY></HTML>`;
}

function s3AccessDenied(requestId: string, hostId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
}

function hex(random: SeededRandom, bytes: number): string {
  return Array.from({ length: bytes }, () => random.int(0, 255).toString(16).padStart(2, '0')).join('').toUpperCase();
}
