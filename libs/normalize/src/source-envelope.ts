// First look at a would-be Parquet file: its size, first and last bytes. Tells an empty object, an error page
// saved as .parquet, a Git LFS pointer, `curl -i` output and a cut download apart before any decoding, with a
// message a human can act on.
import { PermanentError } from '@sluice/contracts';
import { FOOTER_TRAILER_BYTES, PARQUET_MAGIC } from './parquet/format';

/** How many leading bytes to read for the diagnosis. */
export const HEAD_BYTES = 512;
const MIN_PARQUET_BYTES = PARQUET_MAGIC.length + FOOTER_TRAILER_BYTES;
const SHOWN_CHARS = 24;

/** The first line of every Git LFS pointer file (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/';
/** `HTTP/1.1 200 OK`, `HTTP/2 403`: the status line `curl -i` (`--include`) writes before the headers. */
const HTTP_STATUS_LINE = /^HTTP\/\d(\.\d)? (\d{3})\b/;

export interface FooterLocation {
  /** Byte offset where the thrift footer starts (= where the data region ends). */
  start: number;
  length: number;
}

/**
 * `head` is the first min(size, HEAD_BYTES) bytes, `tail` the last min(size, 8). Throws PermanentError
 * `empty`, `not_parquet`, `truncated` or `corrupt`; otherwise says where the footer is.
 */
export function locateFooter(size: number, head: Uint8Array, tail: Uint8Array): FooterLocation {
  if (size === 0) {
    throw new PermanentError('empty', 'empty file (0 bytes): an empty object or a download that wrote nothing');
  }
  if (!startsWith(head, PARQUET_MAGIC)) {
    throw new PermanentError('not_parquet', `not a Parquet file: ${describeContent(head)}`);
  }
  if (size < MIN_PARQUET_BYTES || !startsWith(tail.subarray(tail.length - 4), PARQUET_MAGIC)) {
    throw new PermanentError(
      'truncated',
      `truncated Parquet file: it starts with 'PAR1' but does not end with the 'PAR1' footer magic ` +
        `(${size} bytes): a cut or unfinished download?`,
    );
  }
  const length = new DataView(tail.buffer, tail.byteOffset + tail.length - 8, 4).getUint32(0, true);
  const start = size - FOOTER_TRAILER_BYTES - length;
  if (start < PARQUET_MAGIC.length) {
    throw new PermanentError('corrupt', `corrupt Parquet file: footer length ${length} exceeds the file size ${size}`);
  }
  return { start, length };
}

/** "starts with '<!DOCTYPE html' (an HTML error page saved as .parquet?)" and the like. */
export function describeContent(head: Uint8Array): string {
  const text = Buffer.from(head).toString('latin1');
  const trimmed = text.trimStart();
  let hint = "expected the magic bytes 'PAR1'";
  if (text.startsWith(LFS_POINTER)) hint = lfsHint(text);
  else if (HTTP_STATUS_LINE.test(text)) hint = httpHint(text);
  else if (/^<!doctype html|^<html/i.test(trimmed)) hint = 'an HTML error page saved as .parquet?';
  else if (/^<\?xml/i.test(trimmed) || /^<Error>/.test(trimmed)) hint = xmlHint(trimmed);
  else if (head[0] === 0x1f && head[1] === 0x8b) hint = 'gzip-compressed data: a compressed copy of the file?';
  else if (text.startsWith('PK\x03\x04')) hint = 'a ZIP archive';
  else if (text.startsWith('ARROW1')) hint = 'an Arrow IPC file, not Parquet';
  else if (text.startsWith('PARE')) hint = 'an encrypted Parquet file, which is not supported';
  else if (/^[{[]/.test(trimmed)) hint = 'JSON, perhaps an API error response';
  return `starts with ${showPrefix(head)} (${hint})`;
}

function lfsHint(text: string): string {
  const size = /\nsize (\d{1,15})\b/.exec(text)?.[1];
  const of = size ? ` (the real file is ${Number(size).toLocaleString('en-US')} bytes)` : '';
  return `a Git LFS pointer file, not the data${of}: fetch it with 'git lfs pull', or download the file itself`;
}

function httpHint(text: string): string {
  const status = HTTP_STATUS_LINE.exec(text)![2];
  if (!status.startsWith('2')) {
    return `an HTTP ${status} response saved with its headers (curl -i / --include output?): the server did not send the file`;
  }
  // the headers end at the first empty line; the body, the file itself, follows
  const end = /\r?\n\r?\n/.exec(text);
  const bodyAt = end ? end.index + end[0].length : -1;
  const where = bodyAt > 0 && text.startsWith('PAR1', bodyAt) ? `; the Parquet data starts after them, at byte ${bodyAt}` : '';
  return `HTTP status line and headers saved in front of the file (curl -i / --include output?)${where}: download it again without -i`;
}

function xmlHint(text: string): string {
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1];
  return code
    ? `an S3 XML error response (${code}) saved as .parquet?`
    : 'an XML document, perhaps an S3 error response saved as .parquet?';
}

/** Text in quotes when it looks like text, hex bytes otherwise. */
function showPrefix(head: Uint8Array): string {
  const prefix = head.subarray(0, SHOWN_CHARS);
  const printable = prefix.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09);
  if (!printable || prefix.length === 0) {
    const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return head.length === 0 ? 'nothing' : `bytes ${hex}`;
  }
  // up to the end of the first tag, line or two words: enough to recognise, short enough to read
  const text = Buffer.from(prefix).toString('latin1').trimStart();
  const secondSpace = text.indexOf(' ', text.indexOf(' ') + 1);
  const ends = [text.search(/[>\r\n]/), secondSpace].filter((i) => i > 0);
  return `'${ends.length > 0 ? text.slice(0, Math.min(...ends)) : text}'`;
}

function startsWith(bytes: Uint8Array, magic: string): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}
