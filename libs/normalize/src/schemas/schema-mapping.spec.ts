import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '@sluice/contracts';
import { canonicalArrowSchema } from './canonical';
import { FHV_SCHEMA_V1 } from './fhv.schema';
import { FHVHV_SCHEMA_V1 } from './fhvhv.schema';
import { GREEN_SCHEMA_V1 } from './green.schema';
import { YELLOW_SCHEMA_V1 } from './yellow.schema';
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

describe('planSchemaMapping for yellow, green and fhv v1', () => {
  const str = () => new arrow.Utf8();
  const ts = () => new arrow.TimestampMicrosecond();
  const i64 = () => new arrow.Int64();
  const f64 = () => new arrow.Float64();
  const fields = (list: [string, arrow.DataType][]): SourceField[] => list.map(([name, type]) => ({ name, type }));
  /** A 2023 yellow file: counts as double, IDs int64, `airport_fee` lower case. */
  const yellow2023 = () =>
    fields([
      ['VendorID', i64()], ['tpep_pickup_datetime', ts()], ['tpep_dropoff_datetime', ts()], ['passenger_count', f64()],
      ['trip_distance', f64()], ['RatecodeID', f64()], ['store_and_fwd_flag', str()], ['PULocationID', i64()],
      ['DOLocationID', i64()], ['payment_type', i64()], ['fare_amount', f64()], ['extra', f64()], ['mta_tax', f64()],
      ['tip_amount', f64()], ['tolls_amount', f64()], ['improvement_surcharge', f64()], ['total_amount', f64()],
      ['congestion_surcharge', f64()], ['airport_fee', f64()],
    ]);
  const fhv = () =>
    fields([
      ['dispatching_base_num', str()], ['pickup_datetime', ts()], ['dropOff_datetime', ts()], ['PUlocationID', f64()],
      ['DOlocationID', f64()], ['SR_Flag', new arrow.Int32()], ['Affiliated_base_number', str()],
    ]);
  const error = (schema: typeof FHV_SCHEMA_V1, list: SourceField[]) => {
    try {
      planSchemaMapping(schema, list);
    } catch (e) {
      if (e instanceof PermanentError) return e;
      throw e;
    }
    throw new Error('expected the mapping to fail');
  };

  it('binds a real yellow schema; cbd_congestion_fee is the only optional column', () => {
    const mapping = planSchemaMapping(YELLOW_SCHEMA_V1, yellow2023());
    expect(mapping.droppedColumns).toEqual([]);
    expect(mapping.bindings.filter((b) => !b.source).map((b) => b.column.name)).toEqual(['cbd_congestion_fee']);
  });

  it('yellow: a float location ID is impossible (only the count and code columns accept doubles)', () => {
    const list = yellow2023().map((f) => (f.name === 'PULocationID' ? { ...f, type: f64() } : f));
    expect(error(YELLOW_SCHEMA_V1, list).message).toContain("column 'PULocationID' is Float64 but must be an integer (");
    const text = yellow2023().map((f) => (f.name === 'passenger_count' ? { ...f, type: str() } : f));
    expect(error(YELLOW_SCHEMA_V1, text).message).toContain(
      "column 'passenger_count' is Utf8 but must be an integer or a float (canonical type Int32)",
    );
  });

  it('green: ehail_fee of the Arrow null type is accepted, a missing one is not', () => {
    const green = fields([
      ['VendorID', i64()], ['lpep_pickup_datetime', ts()], ['lpep_dropoff_datetime', ts()], ['store_and_fwd_flag', str()],
      ['RatecodeID', f64()], ['PULocationID', i64()], ['DOLocationID', i64()], ['passenger_count', f64()],
      ['trip_distance', f64()], ['fare_amount', f64()], ['extra', f64()], ['mta_tax', f64()], ['tip_amount', f64()],
      ['tolls_amount', f64()], ['ehail_fee', new arrow.Null()], ['improvement_surcharge', f64()],
      ['total_amount', f64()], ['payment_type', f64()], ['trip_type', f64()], ['congestion_surcharge', f64()],
    ]);
    expect(() => planSchemaMapping(GREEN_SCHEMA_V1, green)).not.toThrow();
    const missing = error(GREEN_SCHEMA_V1, green.filter((f) => f.name !== 'ehail_fee'));
    expect(missing.code).toBe('missing_column');
    expect(missing.message).toContain("missing required column 'ehail_fee' for green.v1");
  });

  it('fhv: binds the odd spellings to the canonical names', () => {
    const sources = planSchemaMapping(FHV_SCHEMA_V1, fhv()).bindings.map((b) => `${b.column.name}<-${b.source?.name}`);
    expect(sources).toEqual([
      'dispatching_base_num<-dispatching_base_num',
      'pickup_datetime<-pickup_datetime',
      'dropoff_datetime<-dropOff_datetime',
      'PULocationID<-PUlocationID',
      'DOLocationID<-DOlocationID',
      'SR_Flag<-SR_Flag',
      'Affiliated_base_number<-Affiliated_base_number',
    ]);
  });

  it('fhv: SR_Flag may be a number, a Y/N string or null type, not a timestamp; both dropoff spellings is ambiguous', () => {
    for (const type of [f64(), str(), new arrow.Null(), new arrow.Bool()]) {
      expect(() => planSchemaMapping(FHV_SCHEMA_V1, fhv().map((f) => (f.name === 'SR_Flag' ? { ...f, type } : f)))).not.toThrow();
    }
    const bad = error(FHV_SCHEMA_V1, fhv().map((f) => (f.name === 'SR_Flag' ? { ...f, type: ts() } : f)));
    expect(bad.code).toBe('impossible_type');
    expect(bad.message).toContain("must be a 'Y'/'N' string or a boolean or an integer or a float");
    expect(error(FHV_SCHEMA_V1, [...fhv(), { name: 'dropoff_datetime', type: ts() }]).code).toBe('ambiguous_column');
  });
});
