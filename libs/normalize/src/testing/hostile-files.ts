// Crafted Parquet files that lie about their sizes: the cases of issue 13 ("the engine trusts sizes the file
// declares"), each built from a small valid fhvhv file by rewriting one thing. Every one must end in a permanent
// `corrupt` with the expected reason, fast and in little memory, except the valid 0-row Arrow layout, which must
// normalize. Used by normalize.hostile-files.spec.ts and by `npm run bench:hostile`; not part of the library's API.
import { type CorruptReason } from '../parquet/limits';
import {
  Codec,
  ColumnChunkField,
  ColumnMetaDataField,
  DataPageHeaderField,
  DictionaryPageHeaderField,
  Encoding,
  FileMetaDataField,
  PageHeaderField,
  PageType,
  PhysicalType,
  Repetition,
  RowGroupField,
  SchemaElementField,
  plainValueBytes,
} from '../parquet/format';
import { type ThriftStruct, type ThriftValue, ThriftType, encodeStruct, fieldValue, withField, withoutFields } from '../parquet/thrift-compact';
import { generateFhvhvParquet } from '../synthetic/fhvhv.generator';
import { concatBytes } from '../parquet/concat-bytes';
import { type Page, list, rawFooter, rewriteParquet, withFooter } from './parquet-surgery';

export type HostileOutcome = { ok: true } | { ok: false; code: 'corrupt'; reason: CorruptReason };

export interface HostileCase {
  name: string;
  /** What the file claims, as the issue measured it. */
  claim: string;
  outcome: HostileOutcome;
  build(): Uint8Array;
}

export interface HostileOptions {
  /**
   * Empty structs in the footer of `footer-of-empty-structs`: 64M makes the 64 MB footer the issue measured
   * (the bench); the object bound stops the decoder after 2M, so the test's smaller footer proves the same bound.
   */
  footerStructs?: number;
  /** Nesting of `nested-thrift-lists`, `nested-thrift-maps` and `deep-schema`. */
  depth?: number;
}

const MONTH = '2024-01';
const ROWS = 1_000;
const I32_MAX = 2 ** 31 - 1;
/** zstd's largest block. */
const BLOCK = 128 * 1024;

const corrupt = (reason: CorruptReason): HostileOutcome => ({ ok: false, code: 'corrupt', reason });

export function hostileCases(options: HostileOptions = {}): HostileCase[] {
  const footerStructs = options.footerStructs ?? 64 * 2 ** 20;
  const depth = options.depth ?? 200_000;
  return [
    {
      name: 'definition-level-bomb',
      claim: 'a ~77 KB zstd page whose definition levels claim 2 GiB',
      outcome: corrupt('values_exceed_page'),
      build: definitionLevelBomb,
    },
    {
      name: 'dictionary-bomb',
      claim: 'a ~44 KB zstd dictionary page of 2^27 doubles (1 GiB)',
      outcome: corrupt('values_exceed_page'),
      build: dictionaryBomb,
    },
    {
      name: 'definition-level-run-past-page',
      claim: 'a page of 1,000 values whose definition levels open with a run of 5,000',
      outcome: corrupt('values_exceed_page'),
      build: levelRunPastPage,
    },
    {
      name: 'zstd-page-larger-than-declared',
      claim: 'a zstd page that decompresses to one byte more than its uncompressed_page_size',
      outcome: corrupt('page_too_large'),
      build: zstdPageLargerThanDeclared,
    },
    {
      name: 'zstd-second-frame-window',
      claim: 'a streamed zstd page whose second frame asks for a 1 GiB window',
      outcome: corrupt('page_invalid'),
      build: zstdSecondFrameWindow,
    },
    {
      name: 'snappy-page-larger-than-declared',
      claim: 'snappy data pages declaring one byte less than they decompress to',
      outcome: corrupt('page_too_large'),
      build: snappyPagesLargerThanDeclared,
    },
    {
      name: 'footer-of-empty-structs',
      claim: `a footer of ${footerStructs.toLocaleString('en-US')} empty structs (${(footerStructs / 2 ** 20).toFixed(0)} MB)`,
      outcome: corrupt('thrift_too_large'),
      build: () => footerOfEmptyStructs(footerStructs),
    },
    {
      name: 'nested-thrift-lists',
      claim: `${depth.toLocaleString('en-US')} thrift lists nested in the footer`,
      outcome: corrupt('thrift_too_deep'),
      build: () => nestedThrift('list', depth),
    },
    {
      name: 'nested-thrift-maps',
      claim: `${depth.toLocaleString('en-US')} thrift maps nested in the footer`,
      outcome: corrupt('thrift_too_deep'),
      build: () => nestedThrift('map', depth),
    },
    {
      name: 'deep-schema',
      claim: `a schema ${depth.toLocaleString('en-US')} groups deep`,
      outcome: corrupt('schema_too_deep'),
      build: () => deepSchema(depth),
    },
    {
      name: 'pages-claim-2^31-rows',
      claim: 'a few-KB file whose every page claims 2^31 - 1 rows in a few bytes (row groups and file agreeing)',
      outcome: corrupt('too_many_rows'),
      build: pagesClaimingBillions,
    },
    {
      name: 'pages-hold-more-than-row-group',
      claim: 'row group, column chunks and file claim 900 rows; the pages hold 1,000',
      outcome: corrupt('row_count_mismatch'),
      build: () => claimRows(900, { chunks: true }),
    },
    {
      name: 'row-group-claims-fewer-rows',
      claim: 'a row group claiming 900 rows over column chunks of 1,000 values',
      outcome: corrupt('row_count_mismatch'),
      build: () => claimRows(900, { chunks: false }),
    },
    {
      name: 'file-rows-differ-from-row-groups',
      claim: "the file's num_rows is 1,001, its row group holds 1,000",
      outcome: corrupt('row_count_mismatch'),
      build: fileRowsDiffer,
    },
    {
      name: 'chunk-points-at-another-column',
      claim: "trip_miles's offsets point at base_passenger_fare's bytes",
      outcome: corrupt('chunks_overlap'),
      build: chunkPointsAtAnother,
    },
    {
      name: 'zero-row-arrow-layout',
      claim: 'a valid 0-row file as Arrow writes it: a 0-row row group, empty chunks at data_page_offset 0',
      outcome: { ok: true },
      build: zeroRowArrowLayout,
    },
  ];
}

function base(compression: 'zstd' | 'snappy' = 'zstd', rows = ROWS): Uint8Array {
  return generateFhvhvParquet({ month: MONTH, rows, seed: 13, compression });
}

/** Index of a top-level (flat) column among the leaves of a flat file. */
function leafOf(file: Uint8Array, name: string): number {
  const schema = list(rawFooter(file), FileMetaDataField.schema).items as ThriftStruct[];
  const index = schema.findIndex((e) => Buffer.from(fieldValue(e, SchemaElementField.name) as Uint8Array).toString() === name);
  if (index < 1) throw new Error(`no column ${name}`);
  return index - 1;
}

function struct(fields: [number, number, ThriftValue][]): ThriftStruct {
  return { kind: 'struct', fields: fields.map(([id, type, value]) => ({ id, type, value })) };
}

function pageHeader(type: number, uncompressed: number, compressed: number, sub: [number, ThriftStruct]): ThriftStruct {
  return struct([
    [PageHeaderField.type, ThriftType.I32, type],
    [PageHeaderField.uncompressedPageSize, ThriftType.I32, uncompressed],
    [PageHeaderField.compressedPageSize, ThriftType.I32, compressed],
    [sub[0], ThriftType.STRUCT, sub[1]],
  ]);
}

function dataPage(values: number, encoding: number, uncompressed: number, body: Uint8Array): Page {
  const header = struct([
    [DataPageHeaderField.numValues, ThriftType.I32, values],
    [DataPageHeaderField.encoding, ThriftType.I32, encoding],
    [DataPageHeaderField.definitionLevelEncoding, ThriftType.I32, Encoding.RLE],
    [DataPageHeaderField.repetitionLevelEncoding, ThriftType.I32, Encoding.RLE],
  ]);
  return { header: pageHeader(PageType.DATA_PAGE, uncompressed, body.length, [PageHeaderField.dataPageHeader, header]), body };
}

function dictionaryPage(values: number, uncompressed: number, body: Uint8Array): Page {
  const header = struct([
    [DictionaryPageHeaderField.numValues, ThriftType.I32, values],
    [DictionaryPageHeaderField.encoding, ThriftType.I32, Encoding.PLAIN],
  ]);
  return { header: pageHeader(PageType.DICTIONARY_PAGE, uncompressed, body.length, [PageHeaderField.dictionaryPageHeader, header]), body };
}

type Block = { raw: Uint8Array } | { rle: number; size: number };

/**
 * A zstd frame built block by block: RLE blocks decode 4 bytes to 128 KiB, which is how a few KB claim GiBs.
 * No content size, a 1 MiB window: nothing in the frame header gives the size away.
 */
function zstdFrame(blocks: Block[], windowLog = 20): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (windowLog - 10) << 3])];
  const expanded: Block[] = [];
  for (const block of blocks) {
    if ('raw' in block) {
      for (let at = 0; at < block.raw.length; at += BLOCK) expanded.push({ raw: block.raw.subarray(at, at + BLOCK) });
    } else {
      for (let left = block.size; left > 0; left -= BLOCK) expanded.push({ rle: block.rle, size: Math.min(BLOCK, left) });
    }
  }
  expanded.forEach((block, i) => {
    const last = i === expanded.length - 1 ? 1 : 0;
    const [type, size, body] = 'raw' in block ? [0, block.raw.length, block.raw] : [1, block.size, Uint8Array.of(block.rle)];
    const header = (size << 3) | (type << 1) | last;
    parts.push(Uint8Array.of(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff), body);
  });
  return concatBytes(parts);
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

/** Replaces the pages of one column, with the chunk's total_uncompressed_size made to agree with them. */
function replaceColumn(file: Uint8Array, name: string, pages: Page[], uncompressed: number): Uint8Array {
  const leaf = leafOf(file, name);
  return rewriteParquet(file, {
    pages: (old, at) => (at.leaf === leaf ? pages : old),
    chunkMeta: (meta, at) => {
      if (at.leaf !== leaf) return meta;
      const m = withoutFields(meta, [ColumnMetaDataField.statistics, ColumnMetaDataField.encodingStats]);
      return withField(m, ColumnMetaDataField.totalUncompressedSize, ThriftType.I64, BigInt(uncompressed));
    },
  });
}

/** Definition levels of 1,000 present values; dictionary indices all 0 (bit width 0). */
function allPresentLevels(): Uint8Array {
  const run = Uint8Array.of(0xd0, 0x0f, 0x01); // RLE run: header 1000 << 1 (varint), value 1
  return concatBytes([u32(run.length), run]);
}

function definitionLevelBomb(): Uint8Array {
  const values = new Uint8Array(ROWS * 8);
  const levels = I32_MAX - 4 - values.length; // as much as uncompressed_page_size (an i32) can claim
  // 0x03 repeated is a valid level stream: bit-packed runs of 8 values, 4 GiB... of levels
  const body = zstdFrame([{ raw: u32(levels) }, { rle: 0x03, size: levels }, { raw: values }]);
  return replaceColumn(base(), 'trip_miles', [dataPage(ROWS, Encoding.PLAIN, I32_MAX, body)], I32_MAX + 64);
}

function dictionaryBomb(): Uint8Array {
  const entries = 2 ** 27;
  const dictionary = zstdFrame([{ rle: 0, size: entries * 8 }]);
  const indices = concatBytes([allPresentLevels(), Uint8Array.of(0), Uint8Array.of(0xd0, 0x0f)]); // bit width 0, run of 1000
  const data = zstdFrame([{ raw: indices }]);
  const pages = [dictionaryPage(entries, entries * 8, dictionary), dataPage(ROWS, Encoding.RLE_DICTIONARY, indices.length, data)];
  return replaceColumn(base(), 'trip_miles', pages, entries * 8 + indices.length + 64);
}

function levelRunPastPage(): Uint8Array {
  const run = Uint8Array.of(0x90, 0x4e, 0x01); // RLE run: header 5000 << 1 (varint), value 1
  const body = concatBytes([u32(run.length), run, new Uint8Array(ROWS * 8)]);
  return replaceColumn(base(), 'trip_miles', [dataPage(ROWS, Encoding.PLAIN, body.length, zstdFrame([{ raw: body }]))], body.length + 64);
}

function zstdPageLargerThanDeclared(): Uint8Array {
  const body = concatBytes([allPresentLevels(), new Uint8Array(ROWS * 8)]);
  const page = dataPage(ROWS, Encoding.PLAIN, body.length - 1, zstdFrame([{ raw: body }]));
  return replaceColumn(base(), 'trip_miles', [page], body.length + 64);
}

/** A page too big to decompress whole (so streamed): a small first frame, then one declaring a 1 GiB window. */
function zstdSecondFrameWindow(): Uint8Array {
  const first = concatBytes([allPresentLevels(), new Uint8Array(ROWS * 8)]);
  const rest = 9 * 2 ** 20;
  const body = concatBytes([zstdFrame([{ raw: first }]), zstdFrame([{ rle: 0, size: rest }], 30)]);
  const page = dataPage(ROWS, Encoding.PLAIN, first.length + rest, body);
  return replaceColumn(base(), 'trip_miles', [page], first.length + rest + 64);
}

function snappyPagesLargerThanDeclared(): Uint8Array {
  return rewriteParquet(base('snappy'), {
    pages: (pages) =>
      pages.map((p) => {
        if (fieldValue(p.header, PageHeaderField.type) !== PageType.DATA_PAGE) return p;
        const size = fieldValue(p.header, PageHeaderField.uncompressedPageSize) as number;
        return { ...p, header: withField(p.header, PageHeaderField.uncompressedPageSize, ThriftType.I32, size - 1) };
      }),
  });
}

/** The valid file's footer without its trailing STOP, then `field` (raw bytes of one more field), then STOP. */
function footerWith(file: Uint8Array, field: Uint8Array[]): Uint8Array {
  const metadata = rawFooter(file);
  const kept = { kind: 'struct' as const, fields: metadata.fields.filter((f) => f.id < FileMetaDataField.keyValueMetadata) };
  const head = encodeStruct(kept);
  return withFooter(file, concatBytes([head.subarray(0, head.length - 1), ...field, Uint8Array.of(0)]));
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/** key_value_metadata: a list of `count` empty structs, one STOP byte each. */
function footerOfEmptyStructs(count: number): Uint8Array {
  const fieldHeader = Uint8Array.of((1 << 4) | ThriftType.LIST, 0xf0 | ThriftType.STRUCT);
  return footerWith(base('snappy', 100), [fieldHeader, varint(count), new Uint8Array(count)]);
}

/** key_value_metadata as lists of lists (or maps keyed by maps) `depth` deep. */
function nestedThrift(kind: 'list' | 'map', depth: number): Uint8Array {
  if (kind === 'list') {
    const open = new Uint8Array(depth).fill((1 << 4) | ThriftType.LIST); // a list of one list
    return footerWith(base('snappy', 100), [Uint8Array.of((1 << 4) | ThriftType.LIST), open, Uint8Array.of(ThriftType.LIST)]);
  }
  const open = new Uint8Array(depth * 2);
  for (let i = 0; i < depth; i++) open.set([0x01, (ThriftType.MAP << 4) | ThriftType.I8], i * 2); // one entry: map → i8
  return footerWith(base('snappy', 100), [Uint8Array.of((1 << 4) | ThriftType.MAP), open, Uint8Array.of(0), new Uint8Array(depth)]);
}

/** A footer whose schema is a chain of `depth` optional groups around one double. */
function deepSchema(depth: number): Uint8Array {
  const name = (s: string) => Buffer.from(s);
  const group = struct([
    [SchemaElementField.repetitionType, ThriftType.I32, Repetition.OPTIONAL],
    [SchemaElementField.name, ThriftType.BINARY, name('g')],
    [SchemaElementField.numChildren, ThriftType.I32, 1],
  ]);
  const schema = [
    struct([
      [SchemaElementField.name, ThriftType.BINARY, name('schema')],
      [SchemaElementField.numChildren, ThriftType.I32, 1],
    ]),
    ...Array.from({ length: depth }, () => group),
    struct([
      [SchemaElementField.type, ThriftType.I32, 5],
      [SchemaElementField.repetitionType, ThriftType.I32, Repetition.OPTIONAL],
      [SchemaElementField.name, ThriftType.BINARY, name('x')],
    ]),
  ];
  const metadata = struct([
    [FileMetaDataField.version, ThriftType.I32, 1],
    [FileMetaDataField.schema, ThriftType.LIST, { kind: 'list', wireType: ThriftType.LIST, elemType: ThriftType.STRUCT, items: schema }],
    [FileMetaDataField.numRows, ThriftType.I64, 0n],
    [FileMetaDataField.rowGroups, ThriftType.LIST, { kind: 'list', wireType: ThriftType.LIST, elemType: ThriftType.STRUCT, items: [] }],
  ]);
  return withFooter(base('snappy', 10), metadata);
}

/**
 * Every column chunk: a dictionary of one value, then one data page claiming 2^31 - 1 values that a few bytes
 * encode (definition levels: one RLE run of 1s; indices: bit width 0, one RLE run). Row groups and file agree.
 * A decoder that believes it produces 2^31 rows of every column: hours of work from a few KB.
 */
function pagesClaimingBillions(): Uint8Array {
  const file = base('snappy', 10);
  const leaves = (list(rawFooter(file), FileMetaDataField.schema).items as ThriftStruct[]).slice(1);
  const claim = BigInt(I32_MAX);
  return rewriteParquet(file, {
    pages: (_pages, at) => {
      const element = leaves[at.leaf];
      const type = fieldValue(element, SchemaElementField.type) as PhysicalType;
      const optional = fieldValue(element, SchemaElementField.repetitionType) === Repetition.OPTIONAL;
      const value = type === PhysicalType.BYTE_ARRAY ? concatBytes([u32(1), Buffer.from('A')]) : new Uint8Array(plainValueBytes(type) ?? 4);
      const run = concatBytes([varint(I32_MAX * 2), Uint8Array.of(1)]);
      const levels = optional ? concatBytes([u32(run.length), run]) : new Uint8Array(0);
      const body = concatBytes([levels, Uint8Array.of(0), varint(I32_MAX * 2)]);
      return [dictionaryPage(1, value.length, value), dataPage(I32_MAX, Encoding.RLE_DICTIONARY, body.length, body)];
    },
    chunkMeta: (meta) => {
      let m = withoutFields(meta, [ColumnMetaDataField.statistics, ColumnMetaDataField.encodingStats]);
      m = withField(m, ColumnMetaDataField.codec, ThriftType.I32, Codec.UNCOMPRESSED);
      m = withField(m, ColumnMetaDataField.totalUncompressedSize, ThriftType.I64, fieldValue(m, ColumnMetaDataField.totalCompressedSize)!);
      return withField(m, ColumnMetaDataField.numValues, ThriftType.I64, claim);
    },
    rowGroup: (group) => withField(group, RowGroupField.numRows, ThriftType.I64, claim),
    footer: (metadata) => withField(metadata, FileMetaDataField.numRows, ThriftType.I64, claim),
  });
}

function claimRows(rows: number, opts: { chunks: boolean }): Uint8Array {
  return rewriteParquet(base(), {
    chunkMeta: (meta) => (opts.chunks ? withField(meta, ColumnMetaDataField.numValues, ThriftType.I64, BigInt(rows)) : meta),
    rowGroup: (group) => withField(group, RowGroupField.numRows, ThriftType.I64, BigInt(rows)),
    footer: (metadata) => withField(metadata, FileMetaDataField.numRows, ThriftType.I64, BigInt(rows)),
  });
}

function fileRowsDiffer(): Uint8Array {
  return rewriteParquet(base(), {
    footer: (metadata) => withField(metadata, FileMetaDataField.numRows, ThriftType.I64, BigInt(ROWS + 1)),
  });
}

function chunkPointsAtAnother(): Uint8Array {
  const file = base();
  const victim = leafOf(file, 'trip_miles');
  const donor = leafOf(file, 'base_passenger_fare');
  const metadata = rawFooter(file);
  const groups = list(metadata, FileMetaDataField.rowGroups);
  const group = groups.items[0] as ThriftStruct;
  const chunks = list(group, RowGroupField.columns);
  const metaOf = (leaf: number) => fieldValue(chunks.items[leaf] as ThriftStruct, ColumnChunkField.metaData) as ThriftStruct;
  let moved = metaOf(victim);
  for (const id of [ColumnMetaDataField.dataPageOffset, ColumnMetaDataField.dictionaryPageOffset, ColumnMetaDataField.totalCompressedSize]) {
    const value = fieldValue(metaOf(donor), id);
    moved = value === undefined ? withoutFields(moved, [id]) : withField(moved, id, ThriftType.I64, value);
  }
  const items = chunks.items.map((c, leaf) =>
    leaf === victim ? withField(c as ThriftStruct, ColumnChunkField.metaData, ThriftType.STRUCT, moved) : c,
  );
  const newGroup = withField(group, RowGroupField.columns, ThriftType.LIST, { ...chunks, items });
  return withFooter(file, withField(metadata, FileMetaDataField.rowGroups, ThriftType.LIST, { ...groups, items: [newGroup] }));
}

/** Arrow (C++) writes an empty table as one 0-row row group whose column chunks have no pages, at offset 0. */
function zeroRowArrowLayout(): Uint8Array {
  const file = base('snappy', 0);
  const metadata = rawFooter(file);
  const schema = list(metadata, FileMetaDataField.schema).items as ThriftStruct[];
  const chunks = schema.slice(1).map((element) => {
    const name = fieldValue(element, SchemaElementField.name) as Uint8Array;
    const meta = struct([
      [ColumnMetaDataField.type, ThriftType.I32, fieldValue(element, SchemaElementField.type) as number],
      [ColumnMetaDataField.encodings, ThriftType.LIST, { kind: 'list', wireType: ThriftType.LIST, elemType: ThriftType.I32, items: [] }],
      [ColumnMetaDataField.pathInSchema, ThriftType.LIST, { kind: 'list', wireType: ThriftType.LIST, elemType: ThriftType.BINARY, items: [name] }],
      [ColumnMetaDataField.codec, ThriftType.I32, Codec.SNAPPY],
      [ColumnMetaDataField.numValues, ThriftType.I64, 0n],
      [ColumnMetaDataField.totalUncompressedSize, ThriftType.I64, 0n],
      [ColumnMetaDataField.totalCompressedSize, ThriftType.I64, 0n],
      [ColumnMetaDataField.dataPageOffset, ThriftType.I64, 0n],
    ]);
    return struct([
      [ColumnChunkField.fileOffset, ThriftType.I64, 0n],
      [ColumnChunkField.metaData, ThriftType.STRUCT, meta],
    ]);
  });
  const group = struct([
    [RowGroupField.columns, ThriftType.LIST, { kind: 'list', wireType: ThriftType.LIST, elemType: ThriftType.STRUCT, items: chunks }],
    [RowGroupField.totalByteSize, ThriftType.I64, 0n],
    [RowGroupField.numRows, ThriftType.I64, 0n],
  ]);
  const rowGroups = { kind: 'list' as const, wireType: ThriftType.LIST, elemType: ThriftType.STRUCT, items: [group] };
  return withFooter(file, withField(metadata, FileMetaDataField.rowGroups, ThriftType.LIST, rowGroups));
}
