import { describe, expect, it } from 'vitest';
import { DATASETS } from '../datasets';
import { canonicalArrowSchema } from './canonical';
import { outputSchemaFor, qualityRulesFor, schemaFor, schemaVersionFor } from './registry';

describe('schema registry', () => {
  it('has a v1 schema for every dataset, chosen by the dataset of the file name', () => {
    expect(DATASETS.map((d) => schemaVersionFor(d))).toEqual(DATASETS.map((d) => `${d}.v1`));
    expect(DATASETS.filter((d) => schemaFor(d) === undefined)).toEqual([]);
  });

  it('gives the output Arrow schema of each dataset: its canonical columns, in order, all nullable', () => {
    for (const dataset of DATASETS) {
      const output = outputSchemaFor(dataset)!;
      expect(output.fields.map((f) => f.name), dataset).toEqual(schemaFor(dataset)!.columns.map((c) => c.name));
      expect(output.fields.every((f) => f.nullable), dataset).toBe(true);
      // field by field: each Dictionary type gets its own id, so whole schemas never compare equal
      const types = (schema: typeof output) => schema.fields.map((f) => `${f.name}: ${f.type}`);
      expect(types(output), dataset).toEqual(types(canonicalArrowSchema(schemaFor(dataset)!)));
    }
  });

  it('lists each dataset’s quality rules in order', () => {
    expect(qualityRulesFor('fhvhv')).toEqual([
      'dropoff_not_after_pickup',
      'negative_trip_miles',
      'negative_base_fare',
      'pickup_outside_month',
      'location_id_out_of_range',
    ]);
    expect(qualityRulesFor('yellow')).toEqual(qualityRulesFor('green'));
    expect(qualityRulesFor('yellow')).toEqual([
      'dropoff_not_after_pickup',
      'negative_trip_distance',
      'negative_fare_amount',
      'pickup_outside_month',
      'location_id_out_of_range',
    ]);
    expect(qualityRulesFor('fhv')).toEqual(['dropoff_not_after_pickup', 'pickup_outside_month', 'location_id_out_of_range']);
  });

  it.each(DATASETS)('%s: every rule reads a required canonical column of the right kind; names are unique', (dataset) => {
    const schema = schemaFor(dataset)!;
    const kindOf = (name: string) => schema.columns.find((c) => c.name === name && !c.optional)?.kind;
    for (const rule of schema.rules) {
      switch (rule.check) {
        case 'dropoff_not_after_pickup':
          expect([kindOf(rule.pickup), kindOf(rule.dropoff)], rule.name).toEqual(['timestamp_us', 'timestamp_us']);
          break;
        case 'pickup_outside_month':
          expect(kindOf(rule.pickup), rule.name).toBe('timestamp_us');
          break;
        case 'negative':
          expect(kindOf(rule.column), rule.name).toBe('float32');
          break;
        case 'location_id_out_of_range':
          expect(rule.columns.map(kindOf), rule.name).toEqual(rule.columns.map(() => 'int32'));
          break;
      }
    }
    expect(new Set(schema.rules.map((r) => r.name)).size).toBe(schema.rules.length);
    expect(new Set(schema.columns.map((c) => c.name)).size).toBe(schema.columns.length);
    const sourceNames = schema.columns.flatMap((c) => c.sourceNames);
    expect(new Set(sourceNames).size, 'a source name feeds one column only').toBe(sourceNames.length);
    expect(canonicalArrowSchema(schema).fields.every((f) => f.nullable)).toBe(true);
  });
});
