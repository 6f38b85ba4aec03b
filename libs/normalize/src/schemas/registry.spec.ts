import { describe, expect, it } from 'vitest';
import { DATASETS } from '../datasets';
import { schemaFor, schemaVersionFor } from './registry';

describe('schema registry', () => {
  it('has fhvhv v1 only, for now', () => {
    expect(schemaVersionFor('fhvhv')).toBe('fhvhv.v1');
    expect(DATASETS.filter((d) => schemaFor(d) === undefined)).toEqual(['yellow', 'green', 'fhv']);
    expect(schemaVersionFor('yellow')).toBeUndefined();
  });
});
