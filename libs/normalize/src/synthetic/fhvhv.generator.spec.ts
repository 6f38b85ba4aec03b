import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnValues, footerOfFile, tempDir } from '../testing/parquet-readback';
import { BAD_FILE_KINDS, generateBadFile } from './bad-files';
import { buildFhvhvTable, generateFhvhvParquet } from './fhvhv.generator';

const REAL_COLUMNS = [
  'hvfhs_license_num',
  'dispatching_base_num',
  'originating_base_num',
  'request_datetime',
  'on_scene_datetime',
  'pickup_datetime',
  'dropoff_datetime',
  'PULocationID',
  'DOLocationID',
  'trip_miles',
  'trip_time',
  'base_passenger_fare',
  'tolls',
  'bcf',
  'sales_tax',
  'congestion_surcharge',
  'airport_fee',
  'tips',
  'driver_pay',
  'shared_request_flag',
  'shared_match_flag',
  'access_a_ride_flag',
  'wav_request_flag',
  'wav_match_flag',
];

describe('generateFhvhvParquet', () => {
  it('is deterministic for a seed', () => {
    const a = generateFhvhvParquet({ month: '2024-01', rows: 500, seed: 3 });
    expect(Buffer.from(generateFhvhvParquet({ month: '2024-01', rows: 500, seed: 3 })).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(generateFhvhvParquet({ month: '2024-01', rows: 500, seed: 4 })).equals(Buffer.from(a))).toBe(false);
  });

  it('has the real 24-column schema with real source types, and cbd_congestion_fee from 2025', () => {
    const { table } = buildFhvhvTable({ month: '2024-12', rows: 10 });
    expect(table.schema.fields.map((f) => f.name)).toEqual(REAL_COLUMNS);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      hvfhs_license_num: 'Utf8',
      pickup_datetime: 'Timestamp<MICROSECOND>',
      PULocationID: 'Int64',
      trip_time: 'Int64',
      trip_miles: 'Float64',
      airport_fee: 'Float64',
      wav_match_flag: 'Utf8',
    });
    const in2025 = buildFhvhvTable({ month: '2025-01', rows: 10 }).table;
    expect(in2025.schema.fields.map((f) => f.name)).toEqual([...REAL_COLUMNS, 'cbd_congestion_fee']);
  });

  it('looks like the real data: Uber and Lyft shares, blanks and nulls where the TLC has them, pickups in the month', () => {
    const { table, invalidRowIndexes } = buildFhvhvTable({ month: '2024-01', rows: 20_000, seed: 11 });
    const licenses = columnValues(table, 'hvfhs_license_num');
    const uberShare = licenses.filter((l) => l === 'HV0003').length / licenses.length;
    expect(uberShare).toBeGreaterThan(0.68);
    expect(uberShare).toBeLessThan(0.78);
    expect(new Set(licenses)).toEqual(new Set(['HV0003', 'HV0005']));

    const onScene = columnValues(table, 'on_scene_datetime');
    const accessARide = columnValues(table, 'access_a_ride_flag');
    licenses.forEach((license, i) => {
      if (license === 'HV0005') {
        expect(onScene[i]).toBeNull();
        expect(accessARide[i]).toBe(' ');
      }
    });
    expect(new Set(columnValues(table, 'shared_request_flag'))).toEqual(new Set(['Y', 'N', null]));
    for (const name of ['trip_miles', 'base_passenger_fare', 'tips', 'PULocationID']) {
      expect(columnValues(table, name), name).toContain(null);
    }
    const miles = columnValues(table, 'trip_miles').filter((m): m is number => typeof m === 'number' && m >= 0);
    const meanMiles = miles.reduce((a, b) => a + b, 0) / miles.length;
    expect(meanMiles).toBeGreaterThan(3);
    expect(meanMiles).toBeLessThan(7);

    const invalid = new Set(invalidRowIndexes);
    const start = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
    const end = BigInt(Date.UTC(2024, 1, 1)) * 1000n;
    const pickups = columnValues(table, 'pickup_datetime') as bigint[];
    expect(pickups.every((p, i) => invalid.has(i) || (p >= start && p < end))).toBe(true);
    expect(pickups.some((p) => p % 1_000_000n !== 0n)).toBe(true); // sub-second µs present
  });

  it('makes the requested fraction of rows invalid, every rule in turn', () => {
    const { invalidRows, invalidRowIndexes } = buildFhvhvTable({ month: '2024-01', rows: 1_000, invalidFraction: 0.02 });
    expect(invalidRowIndexes).toHaveLength(20);
    expect(Object.values(invalidRows)).toEqual([4, 4, 4, 4, 4]);
  });

  it('honours row groups, compression and drift options', () => {
    const dir = tempDir('generator');
    const file = path.join(dir, 'a.parquet');
    fs.writeFileSync(file, generateFhvhvParquet({ month: '2024-01', rows: 2_500, rowGroupRows: 1_000, compression: 'zstd' }));
    expect(footerOfFile(file).rowGroups.map((rg) => rg.numRows)).toEqual([1_000, 1_000, 500]);
    const drift = buildFhvhvTable({
      month: '2024-01',
      rows: 10,
      airportFeeAsInt: true,
      airportFeeColumn: 'Airport_fee',
      timestampUnit: 'ns',
      extraColumns: ['extra'],
    }).table;
    const types = Object.fromEntries(drift.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({ Airport_fee: 'Int64', pickup_datetime: 'Timestamp<NANOSECOND>', extra: 'Int64' });
  });
});

describe('generateBadFile', () => {
  it('is deterministic for a seed', () => {
    for (const kind of BAD_FILE_KINDS) {
      expect(Buffer.from(generateBadFile(kind, 5)).equals(Buffer.from(generateBadFile(kind, 5))), kind).toBe(true);
    }
  });

  it('produces the described shapes', () => {
    expect(generateBadFile('empty')).toHaveLength(0);
    const truncated = Buffer.from(generateBadFile('truncated'));
    expect(truncated.subarray(0, 4).toString()).toBe('PAR1');
    expect(truncated.subarray(-4).toString()).not.toBe('PAR1');
    expect(Buffer.from(generateBadFile('html')).toString()).toMatch(/^<!DOCTYPE HTML[\s\S]*403 ERROR[\s\S]*CloudFront/);
    expect(Buffer.from(generateBadFile('s3-xml-error')).toString()).toContain('<Code>AccessDenied</Code>');
    expect(Array.from(generateBadFile('wrong-magic').subarray(0, 2))).toEqual([0x1f, 0x8b]);
    expect(Buffer.from(generateBadFile('git-lfs-pointer')).toString()).toMatch(
      /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:[0-9a-f]{64}\nsize \d+\n$/,
    );
    const curl = Buffer.from(generateBadFile('curl-include'));
    const body = curl.indexOf('\r\n\r\n') + 4;
    expect(curl.subarray(0, 17).toString()).toBe('HTTP/1.1 200 OK\r\n');
    expect(curl.subarray(body, body + 4).toString()).toBe('PAR1');
    expect(curl.subarray(0, body).toString()).toContain(`Content-Length: ${curl.length - body}\r\n`);
  });
});
