// The Athena tables: one per dataset over the sink's Hive layout, partition projection on year and month in the
// sink's own key format, and columns generated from the canonical schemas: a schema change the tables do not
// follow fails here. The catalog is synthesized in a stack of its own (a bucket and the catalog, no image asset);
// stack.test.ts checks that the sluice stack has it, over its sink bucket.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as arrow from 'apache-arrow';
import { DATASET_NAMES, outputKey } from '@sluice/contracts';
import { outputSchemaFor, schemaVersionFor } from '@sluice/normalize';
import { TLC_FIRST_MONTH } from '@sluice/sources';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATHENA_WORKGROUP, CATALOG_DATABASE, CATALOG_LAST_YEAR, Catalog, partitionLayout } from '../lib/catalog';
import { hiveColumnsOf, hiveTypeOf } from '../lib/hive-columns';
import { Sink } from '../lib/storage';
import { render } from './synth-support';

/** The Hive type Athena must see for each Arrow type the engine writes, written out here rather than computed. */
const HIVE_TYPE_OF_OUTPUT: Record<string, string> = {
  'Dictionary<Int32, Utf8>': 'string',
  'Timestamp<MICROSECOND>': 'timestamp',
  Int32: 'int',
  Float32: 'float',
  Bool: 'boolean',
};

let template: Template;
let bucket: string;
let tables: Record<string, Record<string, any>>;
beforeAll(() => {
  const stack = new Stack(new App(), 'CatalogOnly');
  const sink = new Sink(stack, 'Sink', { testPrefixExpiryDays: 7 });
  new Catalog(stack, 'Catalog', { sink });
  template = Template.fromStack(stack);
  bucket = `{${stack.getLogicalId(sink.bucket.node.defaultChild as any)}}`;
  tables = Object.fromEntries(
    Object.values(template.findResources('AWS::Glue::Table')).map((t) => [t.Properties.TableInput.Name, render(t.Properties)]),
  );
});

describe('Athena catalog', () => {
  it('a Glue database and one external Parquet table per dataset, over its production prefix', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: CATALOG_DATABASE } });
    expect(Object.keys(tables).sort()).toEqual([...DATASET_NAMES].sort());
    for (const [dataset, table] of Object.entries(tables)) {
      expect(table.DatabaseName, dataset).toMatch(/^\{CatalogDatabase/);
      expect(table.TableInput.TableType).toBe('EXTERNAL_TABLE');
      expect(table.TableInput.StorageDescriptor).toMatchObject({
        Location: `s3://${bucket}/${dataset}/`,
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      });
      expect(table.TableInput.PartitionKeys).toEqual([
        { Name: 'year', Type: 'int' },
        { Name: 'month', Type: 'int' },
      ]);
    }
  });

  it("columns: the dataset's output schema field by field, in order, each with its Hive type", () => {
    for (const dataset of DATASET_NAMES) {
      const fields = outputSchemaFor(dataset)!.fields;
      const columns: { Name: string; Type: string }[] = tables[dataset].TableInput.StorageDescriptor.Columns;
      expect(columns.map((c) => c.Name), dataset).toEqual(fields.map((f) => f.name.toLowerCase()));
      fields.forEach((field, i) => {
        const expected = HIVE_TYPE_OF_OUTPUT[String(field.type)];
        expect(expected, `${dataset}.${field.name}: a new output type ${field.type}; say here which Hive type Athena must see`).toBeDefined();
        expect(columns[i], `${dataset}.${field.name} (${field.type})`).toEqual({ Name: field.name.toLowerCase(), Type: expected });
      });
      expect(tables[dataset].TableInput.Parameters['sluice.schema_version']).toBe(schemaVersionFor(dataset));
    }
    // spot checks, readable on their own
    const yellow = Object.fromEntries(tables.yellow.TableInput.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type]));
    expect(yellow).toMatchObject({ vendorid: 'int', tpep_pickup_datetime: 'timestamp', trip_distance: 'float', store_and_fwd_flag: 'boolean', cbd_congestion_fee: 'float' });
    const fhvhv = Object.fromEntries(tables.fhvhv.TableInput.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type]));
    expect(fhvhv).toMatchObject({ hvfhs_license_num: 'string', pickup_datetime: 'timestamp', wav_match_flag: 'boolean' });
  });

  it('partition projection on year and month: no crawler, and every location is where the sink writes that month', () => {
    for (const dataset of DATASET_NAMES) {
      const parameters = tables[dataset].TableInput.Parameters;
      const firstYear = Number(TLC_FIRST_MONTH[dataset].slice(0, 4));
      expect(parameters, dataset).toEqual({
        EXTERNAL: 'TRUE',
        classification: 'parquet',
        'sluice.schema_version': schemaVersionFor(dataset),
        'projection.enabled': 'true',
        'projection.year.type': 'integer',
        'projection.year.range': `${firstYear},${CATALOG_LAST_YEAR}`,
        'projection.month.type': 'integer',
        'projection.month.range': '1,12',
        'projection.month.digits': '2',
        'storage.location.template': `s3://${bucket}/${dataset}/year=\${year}/month=\${month}/`,
      });
      // Project a few months as Athena does (the integers, months padded to `digits`): each is the directory of the
      // key the transformer writes for that month.
      for (const [year, month] of [[firstYear, 1], [2024, 1], [2024, 9], [2024, 12], [CATALOG_LAST_YEAR, 12]] as const) {
        const projected = String(parameters['storage.location.template'])
          .replace('${year}', String(year))
          .replace('${month}', String(month).padStart(Number(parameters['projection.month.digits']), '0'));
        const key = outputKey(dataset, `${year}-${String(month).padStart(2, '0')}`);
        expect(`${projected}${key.slice(key.lastIndexOf('/') + 1)}`, `${dataset} ${year}-${month}`).toBe(`s3://${bucket}/${key}`);
      }
    }
    expect(partitionLayout('yellow')).toEqual({ template: 'yellow/year=${year}/month=${month}/', monthDigits: 2 });
  });

  it('a workgroup whose results land in the sink under _athena/ (expired, encrypted), and no IAM at all', () => {
    const [workgroup] = Object.values(template.findResources('AWS::Athena::WorkGroup')).map((w) => render(w.Properties));
    expect(workgroup).toMatchObject({
      Name: ATHENA_WORKGROUP,
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { OutputLocation: `s3://${bucket}/_athena/`, EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      },
    });
    const [sink] = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(sink.Properties.LifecycleConfiguration.Rules).toContainEqual({ Id: 'expire-athena-results', Prefix: '_athena/', ExpirationInDays: 7, Status: 'Enabled' });
    // each query runs with its caller's permissions: the catalog grants nothing to anyone
    expect(Object.keys(template.toJSON().Resources).filter((id) => /^AWS::IAM::/.test(template.toJSON().Resources[id].Type))).toEqual([]);
  });
});

describe('hiveTypeOf', () => {
  it('maps each Arrow type with an exact Hive counterpart', () => {
    const cases: [arrow.DataType, string][] = [
      [new arrow.TimestampMicrosecond(), 'timestamp'],
      [new arrow.TimestampMillisecond(), 'timestamp'],
      [new arrow.TimestampNanosecond(), 'timestamp'],
      [new arrow.Int8(), 'tinyint'],
      [new arrow.Int16(), 'smallint'],
      [new arrow.Int32(), 'int'],
      [new arrow.Int64(), 'bigint'],
      [new arrow.Float32(), 'float'],
      [new arrow.Float64(), 'double'],
      [new arrow.Utf8(), 'string'],
      [new arrow.LargeUtf8(), 'string'],
      [new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), 'string'],
      [new arrow.Bool(), 'boolean'],
      [new arrow.DateDay(), 'date'],
    ];
    expect(cases.map(([type]) => hiveTypeOf(type))).toEqual(cases.map(([, hive]) => hive));
  });

  it('refuses what Athena would read as something else, and names that collide once lower-cased', () => {
    for (const type of [new arrow.Uint32(), new arrow.Float16(), new arrow.TimestampMicrosecond('UTC'), new arrow.List(new arrow.Field('x', new arrow.Int32()))]) {
      expect(() => hiveTypeOf(type), String(type)).toThrow(/no Hive type for the Arrow type/);
    }
    const twice = new arrow.Schema([new arrow.Field('Airport_fee', new arrow.Float32()), new arrow.Field('airport_fee', new arrow.Float32())]);
    expect(() => hiveColumnsOf(twice)).toThrow(/both 'airport_fee'/);
  });
});
