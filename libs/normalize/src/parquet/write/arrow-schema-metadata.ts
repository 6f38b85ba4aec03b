// The `ARROW:schema` key/value entry: the Arrow IPC schema message, base64, as arrow-rs writes it (continuation
// marker 0xFFFFFFFF, int32 length, flatbuffer). Arrow readers (arrow-rs, pyarrow, DuckDB's arrow export) take
// the exact types from it: Dictionary<Int32, Utf8> rather than plain strings, timestamps without a zone.
import * as arrow from 'apache-arrow';

export function arrowSchemaMetadata(schema: arrow.Schema): string {
  // an empty table's IPC stream is the schema message followed by the end-of-stream marker
  const stream = arrow.tableToIPC(new arrow.Table(withNumberedDictionaries(schema)), 'stream');
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  if (view.getUint32(0, true) !== 0xffffffff) throw new Error('apache-arrow wrote an IPC stream without a continuation marker');
  const length = view.getInt32(4, true);
  return Buffer.from(stream.subarray(0, 8 + length)).toString('base64');
}

/**
 * Arrow JS gives every Dictionary type a process-wide id, so the same schema made twice would be written with
 * different ids (and the same rows as different bytes): number them 0, 1, … in field order, as arrow-rs does.
 */
function withNumberedDictionaries(schema: arrow.Schema): arrow.Schema {
  let next = 0;
  const fields = schema.fields.map((field) => {
    const type = field.type;
    if (!arrow.DataType.isDictionary(type)) return field;
    return field.clone({ type: new arrow.Dictionary(type.dictionary, type.indices, next++, type.isOrdered) });
  });
  return new arrow.Schema(fields, schema.metadata);
}
