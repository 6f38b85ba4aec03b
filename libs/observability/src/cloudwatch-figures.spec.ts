// The Embedded Metric Format lines, parsed as CloudWatch Logs parses them: the metrics a line declares under
// `_aws.CloudWatchMetrics` are top-level numbers of that line, in the namespace the stack's alarms read.
import { Writable } from 'node:stream';
import { CLOUDWATCH_METRICS, CLOUDWATCH_NAMESPACE } from '@sluice/contracts';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchFigures, emfDocument, type EmfDocument } from './cloudwatch-figures';
import { createSecretScrubber } from './redaction';

const { filesFailed, runsStuck, backlogAge, dlqDepth } = CLOUDWATCH_METRICS;
const NOW = Date.parse('2026-11-30T08:00:00Z');

/** A JSON logger like createLogger's (base fields, redaction by value), writing lines into an array. */
function captured(level = 'info', secrets: string[] = []): { logger: pino.Logger; lines: () => Record<string, any>[] } {
  const out: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => done(void out.push(String(chunk))) });
  const logger = pino({ level, base: { service: 'test', pid: 1 }, hooks: { streamWrite: createSecretScrubber(secrets) } }, stream);
  return { logger, lines: () => out.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

/** What CloudWatch would extract from a line: namespace, and each declared metric with its unit and value. */
function extracted(line: Record<string, any>): { namespace: string; dimensions: string[][]; metrics: Record<string, [string, number]> } {
  const [directive] = line._aws.CloudWatchMetrics;
  const metrics: Record<string, [string, number]> = {};
  for (const { Name, Unit } of directive.Metrics) {
    expect(typeof line[Name], `${Name} is a top-level number`).toBe('number');
    metrics[Name] = [Unit, line[Name]];
  }
  for (const dimension of directive.Dimensions.flat()) expect(typeof line[dimension], `dimension ${dimension} is a top-level string`).toBe('string');
  return { namespace: directive.Namespace, dimensions: directive.Dimensions, metrics };
}

/** Every field of a metric line: the logger's, the EMF metadata, the metrics, and the short labels given. */
const ALLOWED_FIELDS = new Set(['level', 'time', 'service', 'pid', 'msg', '_aws', 'dataset', 'code', ...Object.values(CLOUDWATCH_METRICS).map((m) => m.name)]);

describe('emfDocument', () => {
  it('declares each value as a metric of the Sluice namespace with no dimensions, and carries it as a top-level field', () => {
    const doc: EmfDocument = emfDocument([[backlogAge, 42], [dlqDepth, 3]], NOW);
    expect(doc).toEqual({
      _aws: {
        Timestamp: NOW,
        CloudWatchMetrics: [
          { Namespace: 'Sluice', Dimensions: [[]], Metrics: [{ Name: 'BacklogAgeSeconds', Unit: 'Seconds' }, { Name: 'DlqDepth', Unit: 'Count' }] },
        ],
      },
      BacklogAgeSeconds: 42,
      DlqDepth: 3,
    });
    expect(CLOUDWATCH_NAMESPACE).toBe('Sluice');
  });

  it('adds the labels given as plain fields (not metrics, not dimensions)', () => {
    const doc = emfDocument([[filesFailed, 1]], NOW, { dataset: 'fhvhv', code: 'corrupt' });
    expect(extracted(doc)).toEqual({ namespace: 'Sluice', dimensions: [[]], metrics: { FilesFailed: ['Count', 1] } });
    expect(doc).toMatchObject({ dataset: 'fhvhv', code: 'corrupt' });
  });
});

describe('CloudWatchFigures', () => {
  const figures: CloudWatchFigures[] = [];
  const make = () => {
    const f = new CloudWatchFigures(() => NOW);
    figures.push(f);
    return f;
  };
  afterEach(() => figures.splice(0).forEach((f) => f.disable()));
  const nextTick = () => new Promise((resolve) => setImmediate(resolve));

  it('writes nothing until enabled', async () => {
    const { logger, lines } = captured();
    const f = make();
    f.count(filesFailed, 1);
    f.set(dlqDepth, 2);
    await nextTick();
    f.flush();
    expect(lines()).toEqual([]);
    f.enable(logger, 60_000);
    f.flush();
    expect(lines().map((l) => extracted(l).metrics)).toEqual([{ DlqDepth: ['Count', 2] }]);
  });

  it('writes a count at once, one JSON line with its labels and nothing else, in the logger\'s own line', () => {
    const { logger, lines } = captured();
    const f = make();
    f.enable(logger, 60_000);
    f.count(filesFailed, 1, { dataset: 'yellow', code: 'not_parquet' });
    const [line] = lines();
    expect(extracted(line)).toEqual({ namespace: 'Sluice', dimensions: [[]], metrics: { FilesFailed: ['Count', 1] } });
    expect(line).toMatchObject({ level: 30, service: 'test', dataset: 'yellow', code: 'not_parquet', _aws: { Timestamp: NOW } });
    expect(Object.keys(line).filter((k) => !ALLOWED_FIELDS.has(k))).toEqual([]);
  });

  it('writes the first gauges set in one tick as one line right away, then their latest values on each flush', async () => {
    const { logger, lines } = captured();
    const f = make();
    f.enable(logger, 60_000);
    f.set(backlogAge, 0);
    f.set(dlqDepth, 0);
    await nextTick();
    f.set(backlogAge, 95);
    f.set(dlqDepth, 1);
    await nextTick(); // no second immediate line: from now on the interval writes them
    expect(lines().map((l) => extracted(l).metrics)).toEqual([{ BacklogAgeSeconds: ['Seconds', 0], DlqDepth: ['Count', 0] }]);
    f.flush();
    expect(extracted(lines()[1]).metrics).toEqual({ BacklogAgeSeconds: ['Seconds', 95], DlqDepth: ['Count', 1] });
  });

  it('leaves a gauge out once its value is unknown, and writes no line with no gauge', async () => {
    const { logger, lines } = captured();
    const f = make();
    f.enable(logger, 60_000);
    f.set(runsStuck, 1);
    await nextTick();
    f.set(runsStuck, undefined);
    f.flush();
    expect(lines().map((l) => extracted(l).metrics)).toEqual([{ RunsStuck: ['Count', 1] }]);
  });

  it('writes on its interval', async () => {
    const { logger, lines } = captured();
    const f = make();
    f.enable(logger, 100);
    f.set(runsStuck, 0);
    const started = Date.now();
    while (lines().length < 3 && Date.now() - started < 5_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines().length).toBeGreaterThanOrEqual(3);
    expect(lines().every((l) => extracted(l).metrics.RunsStuck[1] === 0)).toBe(true);
  });

  it('writes metrics whatever LOG_LEVEL silences, and through the secret scrubber like every line', () => {
    const { logger, lines } = captured('silent', ['s3cr3t-token']);
    const f = make();
    f.enable(logger, 60_000);
    logger.error('an error the level silences');
    f.count(filesFailed, 1, { dataset: 'fhvhv', code: 'leaked s3cr3t-token' });
    expect(lines()).toHaveLength(1);
    expect(lines()[0].code).toBe('leaked [redacted]');
  });
});
