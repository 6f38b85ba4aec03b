// Rewrites a valid Parquet file page by page: page headers and bodies edited or replaced, column chunks laid out
// again with their offsets and sizes recomputed, then the footer edited. This is how the hostile-input corpus
// makes a file that lies in exactly one place (a page's num_values, a row group's num_rows, a chunk's offsets)
// while everything else stays consistent. The footer is decoded with the raw thrift codec, never validated:
// the point is to write what the validating reader must refuse.
import { concatBytes } from '../parquet/concat-bytes';
import {
  ColumnChunkField,
  ColumnMetaDataField,
  FileMetaDataField,
  PARQUET_MAGIC,
  PageHeaderField,
  PageType,
  RowGroupField,
} from '../parquet/format';
import {
  type ThriftList,
  type ThriftStruct,
  ThriftType,
  decodeStruct,
  encodeStruct,
  fieldValue,
  withField,
  withoutFields,
} from '../parquet/thrift-compact';

export interface Page {
  header: ThriftStruct;
  body: Uint8Array;
}

export interface ChunkContext {
  rowGroup: number;
  /** Leaf column index in the row group. */
  leaf: number;
}

export interface Surgery {
  /** Replaces the pages of a column chunk (sizes in the headers are kept as given: callers set what they want). */
  pages?: (pages: Page[], at: ChunkContext) => Page[];
  /** Edits ColumnMetaData after its offsets and total_compressed_size were recomputed for the new layout. */
  chunkMeta?: (meta: ThriftStruct, at: ChunkContext) => ThriftStruct;
  /** Edits a RowGroup after its chunks were laid out. */
  rowGroup?: (group: ThriftStruct, index: number) => ThriftStruct;
  /** Edits FileMetaData last. */
  footer?: (metadata: ThriftStruct) => ThriftStruct;
}

const NO_LIMITS = { maxDepth: 1_000, maxObjects: Number.MAX_SAFE_INTEGER };

/** The FileMetaData of a valid file, raw. */
export function rawFooter(file: Uint8Array): ThriftStruct {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const length = view.getUint32(file.length - 8, true);
  return decodeStruct(file.subarray(file.length - 8 - length, file.length - 8), NO_LIMITS).struct;
}

/** The file with `footer` as its FileMetaData (the column chunk bytes unchanged). */
export function withFooter(file: Uint8Array, footer: ThriftStruct | Uint8Array): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const length = view.getUint32(file.length - 8, true);
  return concatBytes([file.subarray(0, file.length - 8 - length), trailer(footer instanceof Uint8Array ? footer : encodeStruct(footer))]);
}

/** Footer bytes + their length + the magic. */
export function trailer(footer: Uint8Array): Uint8Array {
  const out = new Uint8Array(footer.length + 8);
  out.set(footer);
  new DataView(out.buffer).setUint32(footer.length, footer.length, true);
  out.set(Buffer.from(PARQUET_MAGIC, 'latin1'), footer.length + 4);
  return out;
}

export function rewriteParquet(file: Uint8Array, surgery: Surgery): Uint8Array {
  const metadata = rawFooter(file);
  const parts: Uint8Array[] = [Buffer.from(PARQUET_MAGIC, 'latin1')];
  let offset = PARQUET_MAGIC.length;
  const groups = list(metadata, FileMetaDataField.rowGroups);
  const newGroups = groups.items.map((g, rowGroup) => {
    let group = g as ThriftStruct;
    const chunks = list(group, RowGroupField.columns);
    const newChunks = chunks.items.map((c, leaf) => {
      const chunk = c as ThriftStruct;
      let meta = fieldValue(chunk, ColumnChunkField.metaData) as ThriftStruct;
      let pages = readPages(file, meta);
      if (surgery.pages) pages = surgery.pages(pages, { rowGroup, leaf });
      const start = offset;
      let dictionaryOffset: number | undefined;
      let dataOffset: number | undefined;
      for (const page of pages) {
        const type = fieldValue(page.header, PageHeaderField.type);
        if (type === PageType.DICTIONARY_PAGE) dictionaryOffset ??= offset;
        else dataOffset ??= offset;
        const header = encodeStruct(page.header);
        parts.push(header, page.body);
        offset += header.length + page.body.length;
      }
      meta = withField(meta, ColumnMetaDataField.dataPageOffset, ThriftType.I64, BigInt(dataOffset ?? start));
      if (dictionaryOffset !== undefined) {
        meta = withField(meta, ColumnMetaDataField.dictionaryPageOffset, ThriftType.I64, BigInt(dictionaryOffset));
      }
      meta = withField(meta, ColumnMetaDataField.totalCompressedSize, ThriftType.I64, BigInt(offset - start));
      if (surgery.chunkMeta) meta = surgery.chunkMeta(meta, { rowGroup, leaf });
      let out = withField(chunk, ColumnChunkField.metaData, ThriftType.STRUCT, meta);
      out = withField(out, ColumnChunkField.fileOffset, ThriftType.I64, BigInt(start));
      // page indexes pointed into the old layout, and are not copied
      return withoutFields(out, [
        ColumnChunkField.offsetIndexOffset,
        ColumnChunkField.offsetIndexLength,
        ColumnChunkField.columnIndexOffset,
        ColumnChunkField.columnIndexLength,
      ]);
    });
    group = withField(group, RowGroupField.columns, ThriftType.LIST, { ...chunks, items: newChunks });
    return surgery.rowGroup ? surgery.rowGroup(group, rowGroup) : group;
  });
  let footer = withField(metadata, FileMetaDataField.rowGroups, ThriftType.LIST, { ...groups, items: newGroups });
  if (surgery.footer) footer = surgery.footer(footer);
  parts.push(trailer(encodeStruct(footer)));
  return concatBytes(parts);
}

/** The pages of a column chunk of a valid file. */
export function readPages(file: Uint8Array, meta: ThriftStruct): Page[] {
  const data = Number(fieldValue(meta, ColumnMetaDataField.dataPageOffset) as bigint);
  const dictionary = fieldValue(meta, ColumnMetaDataField.dictionaryPageOffset) as bigint | undefined;
  const start = dictionary !== undefined && dictionary > 0n ? Math.min(Number(dictionary), data) : data;
  const end = start + Number(fieldValue(meta, ColumnMetaDataField.totalCompressedSize) as bigint);
  const pages: Page[] = [];
  let position = start;
  while (position < end) {
    const { struct, bytesRead } = decodeStruct(file.subarray(position, end), NO_LIMITS);
    const size = fieldValue(struct, PageHeaderField.compressedPageSize) as number;
    pages.push({ header: struct, body: file.subarray(position + bytesRead, position + bytesRead + size) });
    position += bytesRead + size;
  }
  return pages;
}

/** A copy of a page header's sub-struct field `id` (data_page_header, dictionary_page_header) with `field` set. */
export function withPageField(header: ThriftStruct, id: number, field: number, type: number, value: number): ThriftStruct {
  const sub = fieldValue(header, id) as ThriftStruct;
  return withField(header, id, ThriftType.STRUCT, withField(sub, field, type, value));
}

export function list(struct: ThriftStruct, id: number): ThriftList {
  return fieldValue(struct, id) as ThriftList;
}
