// Where the parts of a valid Parquet file lie — the footer, each column chunk, each page header and its data —
// so that the fuzzer can aim its mutations at the fields a decoder trusts, and rebuild a consistent file around
// an edit that changes a header's length.
import { ColumnChunkField, ColumnMetaDataField, FileMetaDataField, FOOTER_TRAILER_BYTES, PageHeaderField, PARQUET_MAGIC, RowGroupField } from '../parquet/format';
import { type ThriftList, type ThriftStruct, decodeStruct, encodeStruct, fieldValue } from '../parquet/thrift-compact';

export interface ChunkLocation {
  rowGroup: number;
  /** Leaf column index. */
  column: number;
  start: number;
  length: number;
}

export interface PageLocation {
  chunk: ChunkLocation;
  headerStart: number;
  /** The page's data starts here, and ends at dataEnd. */
  headerEnd: number;
  dataEnd: number;
  /** PageType. */
  type: number;
}

export interface ParquetAnatomy {
  footerStart: number;
  footerLength: number;
  footer: ThriftStruct;
  chunks: ChunkLocation[];
  pages: PageLocation[];
}

export function anatomyOf(file: Uint8Array): ParquetAnatomy {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const footerLength = view.getUint32(file.length - FOOTER_TRAILER_BYTES, true);
  const footerStart = file.length - FOOTER_TRAILER_BYTES - footerLength;
  const { struct: footer } = decodeStruct(file.subarray(footerStart, footerStart + footerLength));
  const chunks: ChunkLocation[] = [];
  const pages: PageLocation[] = [];
  listItems(footer, FileMetaDataField.rowGroups).forEach((group, rowGroup) => {
    listItems(group, RowGroupField.columns).forEach((chunk, column) => {
      const meta = fieldValue(chunk, ColumnChunkField.metaData) as ThriftStruct;
      const data = Number(fieldValue(meta, ColumnMetaDataField.dataPageOffset));
      const dictionary = fieldValue(meta, ColumnMetaDataField.dictionaryPageOffset);
      const start = dictionary === undefined ? data : Math.min(data, Number(dictionary));
      const location = { rowGroup, column, start, length: Number(fieldValue(meta, ColumnMetaDataField.totalCompressedSize)) };
      chunks.push(location);
      for (let at = start; at < start + location.length; ) {
        const { struct: header, bytesRead } = decodeStruct(file.subarray(at, start + location.length));
        const size = Number(fieldValue(header, PageHeaderField.compressedPageSize));
        const page = { chunk: location, headerStart: at, headerEnd: at + bytesRead, dataEnd: at + bytesRead + size, type: Number(fieldValue(header, PageHeaderField.type)) };
        pages.push(page);
        at = page.dataEnd;
      }
    });
  });
  return { footerStart, footerLength, footer, chunks, pages };
}

export function listItems(struct: ThriftStruct, id: number): ThriftStruct[] {
  return ((fieldValue(struct, id) as ThriftList | undefined)?.items ?? []) as ThriftStruct[];
}

/** The file with its footer replaced by `footer` (thrift bytes; the length and magic are written after it). */
export function withFooterBytes(file: Uint8Array, footerStart: number, footer: Uint8Array | number[]): Uint8Array {
  const out = new Uint8Array(footerStart + footer.length + FOOTER_TRAILER_BYTES);
  out.set(file.subarray(0, footerStart));
  out.set(footer, footerStart);
  new DataView(out.buffer).setUint32(footerStart + footer.length, footer.length, true);
  out.set(Buffer.from(PARQUET_MAGIC, 'latin1'), footerStart + footer.length + 4);
  return out;
}

/**
 * Replaces bytes [start, end) of the data (before the footer) with `replacement`, and moves every offset the
 * footer holds past `start` by the change in length; the chunk that holds `start` grows or shrinks with it.
 * So the file stays consistent except for what the replacement itself says.
 */
export function spliceData(file: Uint8Array, anatomy: ParquetAnatomy, start: number, end: number, replacement: Uint8Array | number[]): Uint8Array {
  const delta = replacement.length - (end - start);
  const footer = decodeStruct(encodeStruct(anatomy.footer)).struct; // a copy to edit in place
  const shift = (struct: ThriftStruct, ids: number[]) => {
    for (const field of struct.fields) {
      if (!ids.includes(field.id) || typeof field.value !== 'bigint') continue;
      if (field.value > BigInt(start)) field.value += BigInt(delta);
    }
  };
  const grow = (struct: ThriftStruct, id: number) => {
    const field = struct.fields.find((f) => f.id === id);
    if (field && typeof field.value === 'bigint') field.value += BigInt(delta);
    else if (field && typeof field.value === 'number') field.value += delta;
  };
  listItems(footer, FileMetaDataField.rowGroups).forEach((group, rowGroup) => {
    shift(group, [RowGroupField.fileOffset]);
    listItems(group, RowGroupField.columns).forEach((chunk, column) => {
      shift(chunk, [ColumnChunkField.fileOffset, ColumnChunkField.offsetIndexOffset, ColumnChunkField.columnIndexOffset]);
      const meta = fieldValue(chunk, ColumnChunkField.metaData) as ThriftStruct;
      shift(meta, [ColumnMetaDataField.dataPageOffset, ColumnMetaDataField.dictionaryPageOffset, ColumnMetaDataField.indexPageOffset, ColumnMetaDataField.bloomFilterOffset]);
      const location = anatomy.chunks.find((c) => c.rowGroup === rowGroup && c.column === column);
      if (location && start >= location.start && start < location.start + location.length) {
        grow(meta, ColumnMetaDataField.totalCompressedSize);
        grow(group, RowGroupField.totalCompressedSize);
      }
    });
  });
  const data = new Uint8Array(anatomy.footerStart + delta);
  data.set(file.subarray(0, start));
  data.set(replacement, start);
  data.set(file.subarray(end, anatomy.footerStart), start + replacement.length);
  return withFooterBytes(data, data.length, encodeStruct(footer));
}
