import { PermanentError } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import { joinKey, validateKeyPrefix, validateObjectKey } from './object-key';

function rejection(key: string): PermanentError {
  try {
    validateObjectKey(key);
  } catch (error) {
    return error as PermanentError;
  }
  throw new Error(`expected ${JSON.stringify(key)} to be rejected`);
}

describe('validateObjectKey', () => {
  it.each([
    'fhvhv_tripdata_2024-01.parquet',
    'trip data/fhvhv_tripdata_2024-01.parquet',
    'fhvhv/year=2024/month=01/fhvhv_2024-01.parquet',
    '_sluice/manifests/fhvhv/2024-01.json',
    'naïve/über…',
    '.hidden',
    'a..b/c..',
    'x'.repeat(1024),
  ])('accepts %j and returns it unchanged', (key) => {
    expect(validateObjectKey(key)).toBe(key);
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['..', '".." segment'],
    ['../outside', '".." segment'],
    ['a/../../b', '".." segment'],
    ['a/..', '".." segment'],
    ['./a', '"." segment'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a\\b', 'backslash'],
    ['..\\windows', 'backslash'],
    ['a\nb', 'control character'],
    ['a\u0000b', 'control character'],
    ['tab\there', 'control character'],
    ['del\u007f', 'control character'],
    ['x'.repeat(1025), 'longer than 1024 bytes'],
    ['é'.repeat(513), 'longer than 1024 bytes'], // 1026 UTF-8 bytes, 513 characters
  ])('rejects %j (%s) with PermanentError invalid_key', (key, why) => {
    const error = rejection(key);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('invalid_key');
    expect(error.message).toContain(why);
  });
});

describe('validateKeyPrefix', () => {
  it('accepts the empty prefix, partial names and a trailing slash', () => {
    expect(validateKeyPrefix('')).toBe('');
    expect(validateKeyPrefix('fhvhv/')).toBe('fhvhv/');
    expect(validateKeyPrefix('fhvhv/fhvhv_tripdata_2024')).toBe('fhvhv/fhvhv_tripdata_2024');
  });

  it('rejects what a key may not contain', () => {
    for (const prefix of ['/abs/', '../', 'a/../', 'a//', 'a\\b']) {
      expect(() => validateKeyPrefix(prefix), prefix).toThrow(PermanentError);
    }
  });
});

describe('joinKey', () => {
  it.each([
    [['a/', 'b'], 'a/b'],
    [['a', 'b'], 'a/b'],
    [['a/', '/b'], 'a/b'],
    [['a', 'b/'], 'a/b/'],
    [['', 'b'], 'b'],
    [['a', ''], 'a'],
    [['prefix/', 'fhvhv/', 'year=2024', 'x.parquet'], 'prefix/fhvhv/year=2024/x.parquet'],
    [['trip data/', 'fhvhv_tripdata_2024-01.parquet'], 'trip data/fhvhv_tripdata_2024-01.parquet'],
  ])('joinKey(%j) → %j', (parts, expected) => {
    expect(joinKey(...parts)).toBe(expected);
  });
});
