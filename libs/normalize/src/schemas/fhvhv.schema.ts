// Canonical High-Volume FHV schema, version 1: the 24 columns published through 2024 plus
// `cbd_congestion_fee` (added 2025; all-null for earlier months). Source types are those of DATA.md.
import { dropoffNotAfterPickup, locationIdOutOfRange, negative, pickupOutsideMonth } from '../quality';
import type { DatasetSchema } from './canonical';

export const FHVHV_SCHEMA_V1: DatasetSchema = {
  version: 'fhvhv.v1',
  columns: [
    { name: 'hvfhs_license_num', kind: 'dictionary_utf8', sourceNames: ['hvfhs_license_num'] },
    { name: 'dispatching_base_num', kind: 'dictionary_utf8', sourceNames: ['dispatching_base_num'] },
    { name: 'originating_base_num', kind: 'dictionary_utf8', sourceNames: ['originating_base_num'] },
    { name: 'request_datetime', kind: 'timestamp_us', sourceNames: ['request_datetime'] },
    { name: 'on_scene_datetime', kind: 'timestamp_us', sourceNames: ['on_scene_datetime'] },
    { name: 'pickup_datetime', kind: 'timestamp_us', sourceNames: ['pickup_datetime'] },
    { name: 'dropoff_datetime', kind: 'timestamp_us', sourceNames: ['dropoff_datetime'] },
    { name: 'PULocationID', kind: 'int32', sourceNames: ['PULocationID'] },
    { name: 'DOLocationID', kind: 'int32', sourceNames: ['DOLocationID'] },
    { name: 'trip_miles', kind: 'float32', sourceNames: ['trip_miles'] },
    { name: 'trip_time', kind: 'int32', sourceNames: ['trip_time'] },
    { name: 'base_passenger_fare', kind: 'float32', sourceNames: ['base_passenger_fare'] },
    { name: 'tolls', kind: 'float32', sourceNames: ['tolls'] },
    { name: 'bcf', kind: 'float32', sourceNames: ['bcf'] },
    { name: 'sales_tax', kind: 'float32', sourceNames: ['sales_tax'] },
    { name: 'congestion_surcharge', kind: 'float32', sourceNames: ['congestion_surcharge'] },
    // int64 in some files, double in others; capitalised in some
    { name: 'airport_fee', kind: 'float32', sourceNames: ['airport_fee', 'Airport_fee'] },
    { name: 'tips', kind: 'float32', sourceNames: ['tips'] },
    { name: 'driver_pay', kind: 'float32', sourceNames: ['driver_pay'] },
    { name: 'shared_request_flag', kind: 'flag_bool', sourceNames: ['shared_request_flag'] },
    { name: 'shared_match_flag', kind: 'flag_bool', sourceNames: ['shared_match_flag'] },
    { name: 'access_a_ride_flag', kind: 'flag_bool', sourceNames: ['access_a_ride_flag'] },
    { name: 'wav_request_flag', kind: 'flag_bool', sourceNames: ['wav_request_flag'] },
    { name: 'wav_match_flag', kind: 'flag_bool', sourceNames: ['wav_match_flag'] },
    { name: 'cbd_congestion_fee', kind: 'float32', sourceNames: ['cbd_congestion_fee'], optional: true },
  ],
  rules: [
    dropoffNotAfterPickup('pickup_datetime', 'dropoff_datetime'),
    negative('negative_trip_miles', 'trip_miles'),
    negative('negative_base_fare', 'base_passenger_fare'),
    pickupOutsideMonth('pickup_datetime'),
    locationIdOutOfRange('PULocationID', 'DOLocationID'),
  ],
};
