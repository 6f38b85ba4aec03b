// A page header is small: it may not decode as many values as a footer (a million empty structs in an unknown field
// of one page header took a fuzz case to 466 MiB before the header was skipped).
import { describe, expect, it } from 'vitest';
import { PAGE_HEADER_MAX_OBJECTS, parsePageHeader } from './pages';
import { ThriftDecodeError } from './thrift-compact';

/** A v1 data page header (10 values, 100 bytes) with an unknown field 1000: a list of `structs` empty structs. */
function headerWithEmptyStructs(structs: number): Uint8Array {
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
    out.push(n);
    return out;
  };
  const I32 = 5;
  const STRUCT = 12;
  const LIST = 9;
  const bytes = [
    0x10 | I32, 0, // type: DATA_PAGE
    0x10 | I32, ...varint(200), // uncompressed_page_size 100 (zigzag)
    0x10 | I32, ...varint(200), // compressed_page_size 100
    0x20 | STRUCT, // data_page_header
    0x10 | I32, ...varint(20), // num_values 10
    0x10 | I32, 0, // encoding PLAIN
    0x10 | I32, 0,
    0x10 | I32, 0,
    0, // end of data_page_header
    LIST, ...varint(2000), // field 1000 (zigzag), long form
    0xf0 | STRUCT, ...varint(structs),
    ...new Array<number>(structs).fill(0),
    0, // end of the header
  ];
  return Uint8Array.from(bytes);
}

describe('parsePageHeader', () => {
  it('skips an unknown field of a few thousand values', () => {
    const header = parsePageHeader(headerWithEmptyStructs(5_000));
    expect([header.values, header.compressedSize, header.uncompressedSize]).toEqual([10, 100, 100]);
  });

  it(`refuses a header of more than ${PAGE_HEADER_MAX_OBJECTS} values, far below the footer's bound`, () => {
    const error = (() => {
      try {
        parsePageHeader(headerWithEmptyStructs(PAGE_HEADER_MAX_OBJECTS + 1));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ThriftDecodeError);
    expect((error as ThriftDecodeError).failure).toBe('too_large');
  });
});
