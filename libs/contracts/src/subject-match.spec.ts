import { describe, expect, it } from 'vitest';
import { subjectMatches } from './subject-match';

describe('subjectMatches', () => {
  it.each([
    ['pipeline.run', 'pipeline.run', true],
    ['pipeline.run', 'pipeline.cancel', false],
    ['pipeline.event.file.>', 'pipeline.event.file.r1', true],
    ['pipeline.event.file.>', 'pipeline.event.file', false],
    ['pipeline.event.*.r1', 'pipeline.event.run.r1', true],
    ['pipeline.event.*', 'pipeline.event.run.r1', false],
    ['pipeline.run', 'pipeline.run.extra', false],
  ])('%s vs %s → %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
