// The sink as Athena tables: a Glue database and one table per dataset over `<dataset>/year=YYYY/month=MM/`, with
// partition projection, so a month the transformers just wrote is queryable with no crawler and no MSCK REPAIR.
import { Stack, aws_athena as athena, aws_glue as glue } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DATASET_NAMES, outputKey, type DatasetName } from '@sluice/contracts';
import { outputSchemaFor, schemaVersionFor } from '@sluice/normalize';
import { TLC_FIRST_MONTH } from '@sluice/sources';
import { hiveColumnsOf } from './hive-columns';
import { ATHENA_RESULTS, type Sink } from './storage';

export const CATALOG_DATABASE = 'sluice';
export const ATHENA_WORKGROUP = 'sluice';
/**
 * The last year partition projection covers. A fixed bound (an integer projection has no NOW): far enough never to
 * hide a month, and a query that filters on `year` only lists the prefixes of the years it names.
 */
export const CATALOG_LAST_YEAR = 2099;

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', parameters: { 'serialization.format': '1' } },
};

/** A real month whose digits appear nowhere else in a key: where they land is where the projected values go. */
const PROBE = { year: '1987', month: '06' };

/**
 * The partition directory of the sink's own key format (`outputKey` in @sluice/contracts), with the projected year
 * and month in place: `yellow/year=2024/month=01/yellow_2024-01.parquet` → `yellow/year=${year}/month=${month}/`.
 * `digits` is how many digits the key gives a month (2: `month=01`), which the projection must reproduce.
 */
export function partitionLayout(dataset: DatasetName): { template: string; monthDigits: number } {
  const key = outputKey(dataset, `${PROBE.year}-${PROBE.month}`);
  const directory = key.slice(0, key.lastIndexOf('/') + 1);
  const template = directory.split(PROBE.year).join('${year}').split(PROBE.month).join('${month}');
  if (template.split('${year}').length !== 2 || template.split('${month}').length !== 2) {
    throw new Error(`the output key ${key} does not hold its year and month once each in its directory`);
  }
  return { template, monthDigits: PROBE.month.length };
}

export interface CatalogProps {
  sink: Sink;
}

export class Catalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly tables: Record<DatasetName, glue.CfnTable>;
  readonly workgroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const bucket = props.sink.bucket.bucketName;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: CATALOG_DATABASE, description: 'sluice: the normalized NYC TLC trip records in the sink bucket, one table per dataset' },
    });
    const tables = {} as Record<DatasetName, glue.CfnTable>;
    for (const dataset of DATASET_NAMES) {
      const schema = outputSchemaFor(dataset);
      if (!schema) throw new Error(`no canonical schema for ${dataset}`);
      const location = `s3://${bucket}/${dataset}/`;
      const { template, monthDigits } = partitionLayout(dataset);
      if (!template.startsWith(`${dataset}/`)) throw new Error(`${dataset}: partitions ${template} are not under the table's location`);
      tables[dataset] = new glue.CfnTable(this, dataset, {
        catalogId: account,
        databaseName: this.database.ref,
        tableInput: {
          name: dataset,
          description: `sluice ${dataset} trips, one partition per month; columns of ${schemaVersionFor(dataset)}`,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            EXTERNAL: 'TRUE',
            classification: 'parquet',
            'sluice.schema_version': schemaVersionFor(dataset),
            'projection.enabled': 'true',
            'projection.year.type': 'integer',
            'projection.year.range': `${TLC_FIRST_MONTH[dataset].slice(0, 4)},${CATALOG_LAST_YEAR}`,
            'projection.month.type': 'integer',
            'projection.month.range': '1,12',
            'projection.month.digits': String(monthDigits),
            'storage.location.template': `s3://${bucket}/${template}`,
          },
          partitionKeys: [
            { name: 'year', type: 'int' },
            { name: 'month', type: 'int' },
          ],
          storageDescriptor: { location, ...PARQUET, columns: hiveColumnsOf(schema) },
        },
      });
    }
    this.tables = tables;

    // Where query results go, so that a query needs no setup: the sink's own `_athena/` prefix (outside every table,
    // expired by the bucket's lifecycle), encrypted like the rest. The workgroup runs nothing by itself and has no
    // role: each query runs with the caller's permissions.
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: ATHENA_WORKGROUP,
      description: 'sluice: queries over the sluice database, results in the sink bucket under _athena/',
      state: 'ENABLED',
      recursiveDeleteOption: true, // `cdk destroy` removes it with its saved queries; the results stay in the bucket
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        publishCloudWatchMetricsEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${bucket}/${ATHENA_RESULTS}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
