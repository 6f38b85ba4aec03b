// The fuzzer's mutations of a valid Parquet file. Most are aimed at the structure (found by parquet-anatomy.ts
// and thrift-spans.ts): the footer's and page headers' sizes, counts and offsets set to 0, -1, 2^31-1, 2^63 and
// neighbours of their true value; list and string lengths that lie; column chunks pointing at each other's
// bytes; thrift nested or repeated far beyond any real file. The rest are blind: flipped bytes, truncations.
// Every mutation is a pure function of the file and the random source, so a case is replayed from its seed.
import { ColumnChunkField, ColumnMetaDataField, FileMetaDataField, FOOTER_TRAILER_BYTES, RowGroupField } from '../parquet/format';
import { type ThriftStruct, ThriftType, decodeStruct, encodeStruct, fieldValue } from '../parquet/thrift-compact';
import { concatBytes } from '../parquet/concat-bytes';
import type { SeededRandom } from '../synthetic/random';
import { type ParquetAnatomy, type PageLocation, listItems, spliceData, withFooterBytes } from './parquet-anatomy';
import { type ThriftSpan, listHeaderBytes, thriftSpans, varintBytes, zigzagBytes } from './thrift-spans';

export interface Mutation {
  /** The mutation's kind (outcomes are counted by it). */
  kind: string;
  /** What exactly was changed, for the report and the fixture. */
  detail: string;
  bytes: Uint8Array;
  /**
   * Set when the mutated file can no longer be read correctly, so that a valid-looking output would be wrong data
   * (rows silently lost or invented, a column read from another's bytes): then only a permanent error will do.
   */
  mustFail?: string;
}

type Mutator = (file: Uint8Array, anatomy: ParquetAnatomy, random: SeededRandom) => Mutation;

const BOUNDARY_VALUES: readonly bigint[] = [0n, -1n, 1n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n];

/** 0, -1, 2^31-1, 2^63 …, or a neighbour or multiple of the true value. */
function hostileValue(current: bigint, random: SeededRandom): bigint {
  if (random.chance(0.6)) return random.pick(BOUNDARY_VALUES);
  return random.pick([current + 1n, current - 1n, current * 2n, current / 2n, current * 1000n, current + BigInt(random.int(2, 4096))]);
}

/** Footer fields a decoder sizes things by; picked more often than the rest. */
const FOOTER_TARGETS: readonly string[] = [
  `${FileMetaDataField.numRows}`,
  `${FileMetaDataField.rowGroups}.${RowGroupField.numRows}`,
  `${FileMetaDataField.rowGroups}.${RowGroupField.totalByteSize}`,
  ...[
    ColumnMetaDataField.numValues,
    ColumnMetaDataField.totalUncompressedSize,
    ColumnMetaDataField.totalCompressedSize,
    ColumnMetaDataField.dataPageOffset,
    ColumnMetaDataField.dictionaryPageOffset,
    ColumnMetaDataField.codec,
    ColumnMetaDataField.type,
  ].map((id) => `${FileMetaDataField.rowGroups}.${RowGroupField.columns}.${ColumnChunkField.metaData}.${id}`),
  `${FileMetaDataField.schema}`, // the schema list's length
  `${FileMetaDataField.rowGroups}`,
  `${FileMetaDataField.rowGroups}.${RowGroupField.columns}`,
  `${FileMetaDataField.schema}.1`, // physical type
  `${FileMetaDataField.schema}.3`, // repetition
  `${FileMetaDataField.schema}.5`, // num_children
  `${FileMetaDataField.schema}.4`, // name (its length)
];

/** Page-header fields: sizes, counts and encodings. */
const PAGE_TARGETS: readonly string[] = ['1', '2', '3', '5.1', '5.2', '5.3', '7.1', '7.2'];

/** The file's and each row group's num_rows: changed, the rows no longer add up (the pages are untouched). */
const FOOTER_ROW_COUNTS: readonly string[] = [`${FileMetaDataField.numRows}`, `${FileMetaDataField.rowGroups}.${RowGroupField.numRows}`];
/** A data page's num_values (every column is flat: one value or null per row). */
const PAGE_ROW_COUNTS: readonly string[] = ['5.1'];

function pickSpan(spans: ThriftSpan[], targets: readonly string[], random: SeededRandom): ThriftSpan {
  const editable = spans.filter((s) => s.kind !== 'field-header' || random.chance(0.1));
  const aimed = editable.filter((s) => targets.includes(s.path.join('.')));
  return random.chance(0.7) && aimed.length > 0 ? random.pick(aimed) : random.pick(editable);
}

/** New bytes for a span: an integer, a list size, a string length or a field's wire type set to a hostile value. */
function rewriteSpan(
  bytes: Uint8Array,
  span: ThriftSpan,
  random: SeededRandom,
  rowCounts: readonly string[],
): { replacement: number[]; detail: string; mustFail?: string } {
  const where = `${span.kind} at ${span.path.join('.') || 'root'}`;
  switch (span.kind) {
    case 'int': {
      const value = hostileValue(span.value, random);
      const changed = BigInt.asIntN(64, value) !== span.value;
      const mustFail = changed && rowCounts.includes(span.path.join('.')) ? 'a row count that disagrees with the pages' : undefined;
      // a 32-bit field given a 64-bit value is written as it would be, longer than any i32
      return { replacement: zigzagBytes(value), detail: `${where}: ${span.value} → ${value}`, mustFail };
    }
    case 'list-header': {
      const size = random.pick([0n, 1n, span.value - 1n, span.value + 1n, 15n, 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 28n]);
      const clamped = size < 0n ? 0n : size;
      return { replacement: listHeaderBytes(clamped, span.wireType), detail: `${where}: ${span.value} elements → ${clamped}` };
    }
    case 'binary-length':
    case 'map-size': {
      const size = random.pick([0n, span.value + 1n, span.value > 0n ? span.value - 1n : 0n, 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 63n]);
      return { replacement: varintBytes(size), detail: `${where}: ${span.value} → ${size}` };
    }
    case 'field-header': {
      // the same field id, another wire type: a reader that trusts the schema of the struct reads garbage
      const header = bytes[span.start];
      const type = random.int(1, 12);
      return { replacement: [(header & 0xf0) | type, ...bytes.subarray(span.start + 1, span.end)], detail: `${where}: wire type ${header & 0x0f} → ${type}` };
    }
  }
}

const footerField: Mutator = (file, anatomy, random) => {
  const footer = file.subarray(anatomy.footerStart, anatomy.footerStart + anatomy.footerLength);
  const span = pickSpan(thriftSpans(footer).spans, FOOTER_TARGETS, random);
  const { replacement, detail, mustFail } = rewriteSpan(footer, span, random, FOOTER_ROW_COUNTS);
  const edited = concatBytes([footer.subarray(0, span.start), replacement, footer.subarray(span.end)]);
  return { kind: 'footer-field', detail, bytes: withFooterBytes(file, anatomy.footerStart, edited), mustFail };
};

const pageHeaderField: Mutator = (file, anatomy, random) => {
  const page = random.pick(anatomy.pages);
  const header = file.subarray(page.headerStart, page.headerEnd);
  const span = pickSpan(thriftSpans(header).spans, PAGE_TARGETS, random);
  const { replacement, detail, mustFail } = rewriteSpan(header, span, random, PAGE_ROW_COUNTS);
  return {
    kind: 'page-header-field',
    detail: `${describePage(page)} ${detail}`,
    bytes: spliceData(file, anatomy, page.headerStart + span.start, page.headerStart + span.end, replacement),
    mustFail,
  };
};

function describePage(page: PageLocation): string {
  const type = ['data', 'index', 'dictionary', 'data v2'][page.type] ?? `type ${page.type}`;
  return `${type} page at ${page.headerStart} (row group ${page.chunk.rowGroup}, column ${page.chunk.column}):`;
}

const flipBytes: Mutator = (file, anatomy, random) => {
  const out = file.slice();
  const count = random.int(1, 8);
  const region = random.weighted(['anywhere', 'footer', 'page header', 'page data'] as const, [3, 2, 2, 3]);
  const positions: number[] = [];
  for (let k = 0; k < count; k++) {
    let at: number;
    if (region === 'footer') at = random.int(anatomy.footerStart, file.length - 1);
    else if (region === 'page header') {
      const page = random.pick(anatomy.pages);
      at = random.int(page.headerStart, page.headerEnd - 1);
    } else if (region === 'page data') {
      const page = random.pick(anatomy.pages.filter((p) => p.dataEnd > p.headerEnd));
      at = page ? random.int(page.headerEnd, page.dataEnd - 1) : random.int(0, file.length - 1);
    } else at = random.int(0, file.length - 1);
    out[at] ^= random.int(1, 255);
    positions.push(at);
  }
  return { kind: 'flip-bytes', detail: `${count} bytes in the ${region} at ${positions.join(', ')}`, bytes: out };
};

const truncate: Mutator = (file, anatomy, random) => {
  const how = random.pick(['file', 'page data', 'page data, offsets kept'] as const);
  if (how === 'file') {
    const length = random.int(0, file.length - 1);
    return { kind: 'truncate', detail: `file cut to ${length} of ${file.length} bytes`, bytes: file.slice(0, length) };
  }
  const page = random.pick(anatomy.pages.filter((p) => p.dataEnd > p.headerEnd));
  if (!page) return { kind: 'truncate', detail: 'no page with data: file cut before its footer', bytes: file.slice(0, anatomy.footerStart) };
  const from = random.int(page.headerEnd, page.dataEnd - 1);
  const to = random.int(from + 1, page.dataEnd);
  const detail = `${describePage(page)} bytes ${from}..${to} removed (${how})`;
  if (how === 'page data') return { kind: 'truncate', detail, bytes: spliceData(file, anatomy, from, to, []) };
  // the footer still points at the old offsets: every later chunk starts in the wrong place
  const bytes = new Uint8Array(file.length - (to - from));
  bytes.set(file.subarray(0, from));
  bytes.set(file.subarray(to), from);
  return { kind: 'truncate', detail, bytes };
};

const trailerLength: Mutator = (file, anatomy, random) => {
  const claimed = random.pick([0, 1, anatomy.footerLength - 1, anatomy.footerLength + 1, file.length - 8, file.length, 2 ** 31 - 1, 2 ** 32 - 1]);
  const bytes = file.slice();
  new DataView(bytes.buffer).setUint32(file.length - FOOTER_TRAILER_BYTES, claimed >>> 0, true);
  return { kind: 'trailer-length', detail: `footer length ${anatomy.footerLength} → ${claimed >>> 0}`, bytes };
};

/** Column chunks whose offsets point at another chunk's bytes, at the magic, or into the footer. */
const chunkOffsets: Mutator = (file, anatomy, random) => {
  const footer = decodeStruct(encodeStruct(anatomy.footer)).struct;
  const metas = listItems(footer, FileMetaDataField.rowGroups).flatMap((group, rowGroup) =>
    listItems(group, RowGroupField.columns).map((chunk, column) => ({ rowGroup, column, meta: fieldValue(chunk, ColumnChunkField.metaData) as ThriftStruct })),
  );
  const ids = [ColumnMetaDataField.dataPageOffset, ColumnMetaDataField.dictionaryPageOffset, ColumnMetaDataField.totalCompressedSize];
  const a = random.pick(metas);
  const b = random.pick(metas);
  const how = random.pick(['swap', 'copy', 'magic', 'footer'] as const);
  const get = (m: ThriftStruct) => ids.map((id) => m.fields.find((f) => f.id === id));
  if (how === 'swap' || how === 'copy') {
    const [fa, fb] = [get(a.meta), get(b.meta)];
    for (let k = 0; k < ids.length; k++) {
      const [x, y] = [fa[k], fb[k]];
      if (!x || !y) continue;
      const value = y.value;
      if (how === 'swap') y.value = x.value;
      x.value = value;
    }
  } else {
    const target = how === 'magic' ? 0n : BigInt(anatomy.footerStart + random.int(0, Math.max(0, anatomy.footerLength - 1)));
    const data = a.meta.fields.find((f) => f.id === ColumnMetaDataField.dataPageOffset)!;
    data.value = target;
    a.meta.fields = a.meta.fields.filter((f) => f.id !== ColumnMetaDataField.dictionaryPageOffset);
  }
  const detail = `${how}: row group ${a.rowGroup} column ${a.column}` + (how === 'swap' || how === 'copy' ? ` with row group ${b.rowGroup} column ${b.column}` : '');
  // a swap of two chunks leaves a file that may be read without error (each column from the other's bytes);
  // two chunks over the same bytes, or a chunk over the magic or the footer, cannot be right
  const overlaps = how === 'copy' ? a !== b : how !== 'swap';
  const mustFail = overlaps ? 'column chunks that overlap each other, the magic or the footer' : undefined;
  return { kind: 'chunk-offsets', detail, bytes: withFooterBytes(file, anatomy.footerStart, encodeStruct(footer)), mustFail };
};

/** Thrift nested or repeated far beyond any real file, as an unknown field (id 1000) a reader must skip. */
function nestedThriftBytes(shape: 'struct' | 'list' | 'map' | 'empty structs', n: number): number[] {
  const id = zigzagBytes(1000n);
  const out: number[] = [];
  switch (shape) {
    case 'struct':
      out.push(ThriftType.STRUCT, ...id);
      for (let k = 1; k < n; k++) out.push(0x10 | ThriftType.STRUCT);
      for (let k = 0; k < n; k++) out.push(ThriftType.STOP);
      break;
    case 'list':
      out.push(ThriftType.LIST, ...id);
      for (let k = 1; k < n; k++) out.push(0x10 | ThriftType.LIST);
      out.push(ThriftType.I8); // the innermost list: 0 elements
      break;
    case 'map':
      out.push(ThriftType.MAP, ...id);
      for (let k = 1; k < n; k++) out.push(1, (ThriftType.I8 << 4) | ThriftType.MAP, 0);
      out.push(0); // the innermost map: 0 entries
      break;
    case 'empty structs':
      out.push(ThriftType.LIST, ...id, ...listHeaderBytes(BigInt(n), ThriftType.STRUCT));
      for (let k = 0; k < n; k++) out.push(ThriftType.STOP);
      break;
  }
  return out;
}

export interface MutationLimits {
  /** Largest nesting depth or element count of the nested-thrift mutation. */
  maxNesting: number;
}

function nestedThrift(limits: MutationLimits): Mutator {
  return (file, anatomy, random) => {
    const shape = random.pick(['struct', 'list', 'map', 'empty structs'] as const);
    const n = Math.min(limits.maxNesting, random.pick([65, 1_000, 20_000, 200_000, 1_000_000]));
    const nest = nestedThriftBytes(shape, n);
    // inserted just before the STOP that ends the footer's root struct, or a page header's
    if (random.chance(0.6)) {
      const footer = file.subarray(anatomy.footerStart, anatomy.footerStart + anatomy.footerLength);
      const edited = concatBytes([footer.subarray(0, footer.length - 1), nest, [ThriftType.STOP]]);
      return { kind: 'nested-thrift', detail: `footer: ${shape} × ${n}`, bytes: withFooterBytes(file, anatomy.footerStart, edited) };
    }
    const page = random.pick(anatomy.pages);
    const at = page.headerEnd - 1;
    return { kind: 'nested-thrift', detail: `${describePage(page)} ${shape} × ${n}`, bytes: spliceData(file, anatomy, at, at, nest) };
  };
}

export function mutators(limits: MutationLimits): { mutate: Mutator; weight: number }[] {
  return [
    { mutate: footerField, weight: 5 },
    { mutate: pageHeaderField, weight: 5 },
    { mutate: flipBytes, weight: 4 },
    { mutate: truncate, weight: 2 },
    { mutate: chunkOffsets, weight: 2 },
    { mutate: trailerLength, weight: 1 },
    { mutate: nestedThrift(limits), weight: 1 },
  ];
}
