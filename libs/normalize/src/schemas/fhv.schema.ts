// Canonical FHV (for-hire vehicle, not high-volume) schema, version 1: the 7 columns of the TLC's Parquet files.
// Canonical names fix the source's odd capitals (`dropOff_datetime`, `PUlocationID`, `DOlocationID`) so that
// the four datasets share spellings; both spellings are accepted. FHV has no distance or fare: no rule on them.
import { dropoffNotAfterPickup, locationIdOutOfRange, pickupOutsideMonth } from '../quality';
import type { DatasetSchema } from './canonical';

export const FHV_SCHEMA_V1: DatasetSchema = {
  version: 'fhv.v1',
  columns: [
    { name: 'dispatching_base_num', kind: 'dictionary_utf8', sourceNames: ['dispatching_base_num'] },
    { name: 'pickup_datetime', kind: 'timestamp_us', sourceNames: ['pickup_datetime'] },
    { name: 'dropoff_datetime', kind: 'timestamp_us', sourceNames: ['dropoff_datetime', 'dropOff_datetime'] },
    // double with nulls in older files: integral values → int32, nulls stay nulls
    { name: 'PULocationID', kind: 'int32', sourceNames: ['PULocationID', 'PUlocationID'], alsoAccepts: ['float'] },
    { name: 'DOLocationID', kind: 'int32', sourceNames: ['DOLocationID', 'DOlocationID'], alsoAccepts: ['float'] },
    // 1 (int or double) for a shared ride, else null: 1 → true, 0 → false, null stays null (see README)
    { name: 'SR_Flag', kind: 'flag_bool', sourceNames: ['SR_Flag'], alsoAccepts: ['integer', 'float'] },
    { name: 'Affiliated_base_number', kind: 'dictionary_utf8', sourceNames: ['Affiliated_base_number'] },
  ],
  rules: [
    dropoffNotAfterPickup('pickup_datetime', 'dropoff_datetime'),
    pickupOutsideMonth('pickup_datetime'),
    locationIdOutOfRange('PULocationID', 'DOLocationID'),
  ],
};
