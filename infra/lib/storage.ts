// The sink bucket and the key layout the task roles are scoped to (DESIGN.md "Storage layout").
import { Duration, RemovalPolicy, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Datasets written by the transformer: data lives under `<dataset>/year=YYYY/month=MM/`. */
export const DATASETS = ['fhvhv', 'yellow', 'green', 'fhv'] as const;
export const MANIFESTS = '_sluice/manifests/';
export const RUN_REPORTS = '_sluice/runs/';
/** With QUARANTINE=true the dropped rows of `<dataset>/…/x.parquet` go to `_quarantine/<dataset>/…/x.parquet`. */
export const QUARANTINE = '_quarantine/';
/** `test_subset` writes the same layout under this prefix (the services' default TEST_SINK_URL). */
export const TEST_PREFIX = '_test/';
/** The Athena workgroup's query results (infra/lib/catalog.ts): outside every table's location. */
export const ATHENA_RESULTS = '_athena/';

export interface SinkProps {
  bucketName?: string;
  testPrefixExpiryDays: number;
}

/** Query results are for reading once; a result worth keeping is copied elsewhere. */
export const ATHENA_RESULTS_EXPIRY_DAYS = 7;

export class Sink extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SinkProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-test-subset-outputs', prefix: TEST_PREFIX, expiration: Duration.days(props.testPrefixExpiryDays) },
        { id: 'expire-athena-results', prefix: ATHENA_RESULTS, expiration: Duration.days(ATHENA_RESULTS_EXPIRY_DAYS) },
        // A transformer killed mid-upload leaves parts that are billed but invisible.
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // The normalized copy is the product: `cdk destroy` leaves it in place.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  get url(): string {
    return `s3://${this.bucket.bucketName}`;
  }

  /** `arn:…:bucket/<pattern>` for each pattern. */
  objects(...patterns: string[]): string[] {
    return patterns.map((p) => this.bucket.arnForObjects(p));
  }
}
