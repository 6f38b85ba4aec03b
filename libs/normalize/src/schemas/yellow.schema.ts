// Canonical yellow taxi schema, version 1: the 19 columns of the TLC's Parquet files (2011 on) plus
// `cbd_congestion_fee` (added 2025; all-null for earlier months). Drift accepted: `Airport_fee` or `airport_fee`
// stored as int or double; location and vendor IDs as int32 or int64; counts and codes as double with nulls.
import { dropoffNotAfterPickup, locationIdOutOfRange, negative, pickupOutsideMonth } from '../quality';
import type { CanonicalColumn, DatasetSchema } from './canonical';

/** Small integer codes that pandas-written files store as double because of nulls (NaN): integral → int32. */
const code = (name: string): CanonicalColumn => ({ name, kind: 'int32', sourceNames: [name], alsoAccepts: ['float'] });
const money = (name: string): CanonicalColumn => ({ name, kind: 'float32', sourceNames: [name] });

export const YELLOW_SCHEMA_V1: DatasetSchema = {
  version: 'yellow.v1',
  columns: [
    code('VendorID'),
    { name: 'tpep_pickup_datetime', kind: 'timestamp_us', sourceNames: ['tpep_pickup_datetime'] },
    { name: 'tpep_dropoff_datetime', kind: 'timestamp_us', sourceNames: ['tpep_dropoff_datetime'] },
    code('passenger_count'),
    money('trip_distance'),
    code('RatecodeID'),
    { name: 'store_and_fwd_flag', kind: 'flag_bool', sourceNames: ['store_and_fwd_flag'] },
    { name: 'PULocationID', kind: 'int32', sourceNames: ['PULocationID'] },
    { name: 'DOLocationID', kind: 'int32', sourceNames: ['DOLocationID'] },
    code('payment_type'),
    money('fare_amount'),
    money('extra'),
    money('mta_tax'),
    money('tip_amount'),
    money('tolls_amount'),
    money('improvement_surcharge'),
    money('total_amount'),
    money('congestion_surcharge'),
    // capitalised in some years; int in some files (all null), double in others
    { name: 'airport_fee', kind: 'float32', sourceNames: ['airport_fee', 'Airport_fee'] },
    { name: 'cbd_congestion_fee', kind: 'float32', sourceNames: ['cbd_congestion_fee'], optional: true },
  ],
  rules: [
    dropoffNotAfterPickup('tpep_pickup_datetime', 'tpep_dropoff_datetime'),
    negative('negative_trip_distance', 'trip_distance'),
    negative('negative_fare_amount', 'fare_amount'),
    pickupOutsideMonth('tpep_pickup_datetime'),
    locationIdOutOfRange('PULocationID', 'DOLocationID'),
  ],
};
