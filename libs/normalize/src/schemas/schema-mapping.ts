// Decides, from a source file's Arrow schema alone, which source column feeds each canonical column and which
// source columns are dropped. Pure: the reader supplies the fields, nothing is decoded here.
import type * as arrow from 'apache-arrow';
import { PermanentError } from '@sluice/contracts';
import {
  type CanonicalColumn,
  type CanonicalKind,
  type DatasetSchema,
  type SourceClass,
  acceptedSources,
  arrowTypeOf,
  sourceClassOf,
} from './canonical';

export interface SourceField {
  name: string;
  type: arrow.DataType;
}

export interface ColumnBinding {
  column: CanonicalColumn;
  /** The source column that feeds it; undefined for an optional column the source does not have. */
  source: SourceField | undefined;
}

export interface SchemaMapping {
  bindings: ColumnBinding[];
  /** Source columns the canonical schema does not know, in file order. */
  droppedColumns: string[];
}

/** Lists at most this many of the file's columns in an error message. */
const LISTED_COLUMNS = 30;

/**
 * Binds every canonical column to its source column. Throws PermanentError:
 * - `ambiguous_column` when two source columns match one canonical column (e.g. `airport_fee` and `Airport_fee`);
 * - `missing_column` naming every required column the source lacks;
 * - `impossible_type` naming every column whose source type cannot become its canonical type.
 */
export function planSchemaMapping(schema: DatasetSchema, fields: readonly SourceField[]): SchemaMapping {
  const used = new Set<string>();
  const missing: string[] = [];
  const impossible: string[] = [];
  const bindings = schema.columns.map((column): ColumnBinding => {
    const candidates = fields.filter((f) => column.sourceNames.includes(f.name));
    if (candidates.length > 1) {
      const names = candidates.map((f) => `'${f.name}'`).join(' and ');
      throw new PermanentError(
        'ambiguous_column',
        `column '${column.name}' is ambiguous: the file has both ${names}; cannot tell which to use`,
      );
    }
    const source = candidates[0];
    if (!source) {
      if (!column.optional) missing.push(column.name);
      return { column, source: undefined };
    }
    used.add(source.name);
    const sourceClass = sourceClassOf(source.type);
    if (!acceptedSources(column).includes(sourceClass)) {
      impossible.push(`column '${source.name}' is ${source.type} but must be ${describeKind(column)}`);
    }
    return { column, source };
  });

  if (missing.length > 0) {
    const listed = fields.slice(0, LISTED_COLUMNS).map((f) => f.name);
    const more = fields.length > LISTED_COLUMNS ? `, … (${fields.length} in all)` : '';
    const has = `the file has: ${listed.join(', ') || '(no columns)'}${more}`;
    const required = schema.columns.filter((c) => !c.optional).length;
    throw new PermanentError(
      'missing_column',
      missing.length === required
        ? `none of the ${required} required ${schema.version} columns is present, not a trip file of this dataset? (${has})`
        : `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} ` +
            `for ${schema.version} (${has})`,
    );
  }
  if (impossible.length > 0) {
    throw new PermanentError('impossible_type', `cannot map to ${schema.version}: ${impossible.join('; ')}`);
  }
  return { bindings, droppedColumns: fields.filter((f) => !used.has(f.name)).map((f) => f.name) };
}

const EXPECTED: Record<CanonicalKind, string> = {
  dictionary_utf8: 'a string',
  timestamp_us: 'a timestamp with no time zone or UTC',
  int32: 'an integer',
  float32: 'a number (integer or float)',
  flag_bool: "a 'Y'/'N' string or a boolean",
};

const ALSO: Partial<Record<SourceClass, string>> = { integer: 'an integer', float: 'a float' };

function describeKind(column: CanonicalColumn): string {
  const also = (column.alsoAccepts ?? []).map((c) => ALSO[c]).filter(Boolean);
  const expected = also.length > 0 ? `${EXPECTED[column.kind]} or ${also.join(' or ')}` : EXPECTED[column.kind];
  return `${expected} (canonical type ${arrowTypeOf(column.kind)})`;
}
