// Canonical green taxi schema, version 1: the 20 columns of the TLC's Parquet files plus `cbd_congestion_fee`
// (added 2025; all-null for earlier months). `ehail_fee` is always null in the real files (stored as double or
// as the Arrow null type): it is kept, as an all-null float32, so the schema matches the data dictionary.
import { dropoffNotAfterPickup, locationIdOutOfRange, negative, pickupOutsideMonth } from '../quality';
import type { CanonicalColumn, DatasetSchema } from './canonical';

/** Small integer codes that pandas-written files store as double because of nulls (NaN): integral → int32. */
const code = (name: string): CanonicalColumn => ({ name, kind: 'int32', sourceNames: [name], alsoAccepts: ['float'] });
const money = (name: string): CanonicalColumn => ({ name, kind: 'float32', sourceNames: [name] });

export const GREEN_SCHEMA_V1: DatasetSchema = {
  version: 'green.v1',
  columns: [
    code('VendorID'),
    { name: 'lpep_pickup_datetime', kind: 'timestamp_us', sourceNames: ['lpep_pickup_datetime'] },
    { name: 'lpep_dropoff_datetime', kind: 'timestamp_us', sourceNames: ['lpep_dropoff_datetime'] },
    { name: 'store_and_fwd_flag', kind: 'flag_bool', sourceNames: ['store_and_fwd_flag'] },
    code('RatecodeID'),
    { name: 'PULocationID', kind: 'int32', sourceNames: ['PULocationID'] },
    { name: 'DOLocationID', kind: 'int32', sourceNames: ['DOLocationID'] },
    code('passenger_count'),
    money('trip_distance'),
    money('fare_amount'),
    money('extra'),
    money('mta_tax'),
    money('tip_amount'),
    money('tolls_amount'),
    money('ehail_fee'),
    money('improvement_surcharge'),
    money('total_amount'),
    code('payment_type'),
    code('trip_type'),
    money('congestion_surcharge'),
    { name: 'cbd_congestion_fee', kind: 'float32', sourceNames: ['cbd_congestion_fee'], optional: true },
  ],
  rules: [
    dropoffNotAfterPickup('lpep_pickup_datetime', 'lpep_dropoff_datetime'),
    negative('negative_trip_distance', 'trip_distance'),
    negative('negative_fare_amount', 'fare_amount'),
    pickupOutsideMonth('lpep_pickup_datetime'),
    locationIdOutOfRange('PULocationID', 'DOLocationID'),
  ],
};
