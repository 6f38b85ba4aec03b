import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '@sluice/contracts';
import { canonicalArrowSchema } from './canonical';
import { FHVHV_SCHEMA_V1 } from './fhvhv.schema';
import { type SourceField, planSchemaMapping } from './schema-mapping';

/** The 24 columns of a real fhvhv file through 2024, with their source types (DATA.md). */
function realFields(): SourceField[] {
  const str = () => new arrow.Utf8();
  const ts = () => new arrow.TimestampMicrosecond();
  const i64 = () => new arrow.Int64();
  const f64 = () => new arrow.Float64();
  return [
    ['hvfhs_license_num', str()],
    ['dispatching_base_num', str()],
    ['originating_base_num', str()],
    ['request_datetime', ts()],
    ['on_scene_datetime', ts()],
    ['pickup_datetime', ts()],
    ['dropoff_datetime', ts()],
    ['PULocationID', i64()],
    ['DOLocationID', i64()],
    ['trip_miles', f64()],
    ['trip_time', i64()],
    ['base_passenger_fare', f64()],
    ['tolls', f64()],
    ['bcf', f64()],
    ['sales_tax', f64()],
    ['congestion_surcharge', f64()],
    ['airport_fee', f64()],
    ['tips', f64()],
    ['driver_pay', f64()],
    ['shared_request_flag', str()],
    ['shared_match_flag', str()],
    ['access_a_ride_flag', str()],
    ['wav_request_flag', str()],
    ['wav_match_flag', str()],
  ].map(([name, type]) => ({ name: name as string, type: type as arrow.DataType }));
}

function replace(fields: SourceField[], name: string, replacement: Partial<SourceField>): SourceField[] {
  return fields.map((f) => (f.name === name ? { ...f, ...replacement } : f));
}

function mappingError(fields: SourceField[]): PermanentError {
  try {
    planSchemaMapping(FHVHV_SCHEMA_V1, fields);
  } catch (error) {
    if (error instanceof PermanentError) return error;
    throw error;
  }
  throw new Error('expected the mapping to fail');
}

const sourceOf = (fields: SourceField[], canonical: string) =>
  planSchemaMapping(FHVHV_SCHEMA_V1, fields).bindings.find((b) => b.column.name === canonical)?.source;

describe('fhvhv v1 canonical schema', () => {
  it('has the 24 columns plus cbd_congestion_fee, with exact Arrow types, all nullable', () => {
    const schema = canonicalArrowSchema(FHVHV_SCHEMA_V1);
    expect(schema.fields).toHaveLength(25);
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      hvfhs_license_num: 'Dictionary<Int32, Utf8>',
      pickup_datetime: 'Timestamp<MICROSECOND>',
      PULocationID: 'Int32',
      trip_miles: 'Float32',
      trip_time: 'Int32',
      airport_fee: 'Float32',
      wav_match_flag: 'Bool',
      cbd_congestion_fee: 'Float32',
    });
    expect(schema.fields.every((f) => f.nullable)).toBe(true);
    const pickup = schema.fields.find((f) => f.name === 'pickup_datetime')!.type as arrow.Timestamp;
    expect(pickup.timezone ?? null).toBeNull();
  });
});

describe('planSchemaMapping', () => {
  it('binds the real 2019–2024 schema, cbd_congestion_fee absent (all null)', () => {
    const mapping = planSchemaMapping(FHVHV_SCHEMA_V1, realFields());
    expect(mapping.droppedColumns).toEqual([]);
    expect(mapping.bindings.filter((b) => b.source === undefined).map((b) => b.column.name)).toEqual([
      'cbd_congestion_fee',
    ]);
  });

  it('binds cbd_congestion_fee when a 2025 file has it', () => {
    const fields = [...realFields(), { name: 'cbd_congestion_fee', type: new arrow.Float64() }];
    expect(sourceOf(fields, 'cbd_congestion_fee')?.name).toBe('cbd_congestion_fee');
  });

  it('accepts airport_fee as int64 and the Airport_fee spelling', () => {
    expect(String(sourceOf(replace(realFields(), 'airport_fee', { type: new arrow.Int64() }), 'airport_fee')?.type)).toBe(
      'Int64',
    );
    expect(sourceOf(replace(realFields(), 'airport_fee', { name: 'Airport_fee' }), 'airport_fee')?.name).toBe(
      'Airport_fee',
    );
  });

  it('accepts timestamps in any unit, with no zone or UTC, and dictionary-encoded or large strings', () => {
    let fields = replace(realFields(), 'pickup_datetime', { type: new arrow.TimestampNanosecond() });
    fields = replace(fields, 'dropoff_datetime', { type: new arrow.TimestampMillisecond('UTC') });
    fields = replace(fields, 'request_datetime', { type: new arrow.TimestampSecond('+00:00') });
    fields = replace(fields, 'hvfhs_license_num', { type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()) });
    fields = replace(fields, 'dispatching_base_num', { type: new arrow.LargeUtf8() });
    fields = replace(fields, 'shared_request_flag', { type: new arrow.Bool() });
    fields = replace(fields, 'PULocationID', { type: new arrow.Int32() });
    fields = replace(fields, 'tips', { type: new arrow.Null() }); // an all-null column written as null type
    expect(() => planSchemaMapping(FHVHV_SCHEMA_V1, fields)).not.toThrow();
  });

  it('drops unknown extra columns and lists them in file order', () => {
    const fields = [{ name: 'zz_extra', type: new arrow.Int64() }, ...realFields(), { name: 'note', type: new arrow.Utf8() }];
    expect(planSchemaMapping(FHVHV_SCHEMA_V1, fields).droppedColumns).toEqual(['zz_extra', 'note']);
  });

  it('fails missing_column naming each missing column and listing what the file has', () => {
    const error = mappingError(realFields().filter((f) => f.name !== 'trip_miles' && f.name !== 'tips'));
    expect(error.code).toBe('missing_column');
    expect(error.message).toContain("missing required columns 'trip_miles', 'tips' for fhvhv.v1");
    expect(error.message).toContain('the file has: hvfhs_license_num,');
  });

  it('fails missing_column for a foreign schema, saying it is not a trip file', () => {
    const error = mappingError([{ name: 'station_id', type: new arrow.Utf8() }]);
    expect(error.code).toBe('missing_column');
    expect(error.message).toMatch(/none of the 24 required fhvhv\.v1 columns is present.*station_id/);
  });

  it('fails impossible_type naming the column, its type and what it must be', () => {
    const error = mappingError(replace(realFields(), 'trip_miles', { type: new arrow.Utf8() }));
    expect(error.code).toBe('impossible_type');
    expect(error.message).toContain("column 'trip_miles' is Utf8 but must be a number (integer or float)");
  });

  it.each([
    ['PULocationID', new arrow.Float64()], // location ids must be integers
    ['pickup_datetime', new arrow.Int64()],
    ['pickup_datetime', new arrow.TimestampMicrosecond('America/New_York')],
    ['shared_match_flag', new arrow.Int32()],
    ['hvfhs_license_num', new arrow.Float64()],
    ['bcf', new arrow.Float16()],
  ])('rejects %s as %s', (name, type) => {
    expect(mappingError(replace(realFields(), name, { type })).code).toBe('impossible_type');
  });

  it('fails ambiguous_column when both airport_fee and Airport_fee are present', () => {
    const error = mappingError([...realFields(), { name: 'Airport_fee', type: new arrow.Float64() }]);
    expect(error.code).toBe('ambiguous_column');
    expect(error.message).toContain("'airport_fee' and 'Airport_fee'");
  });
});
