// normalize(input, sink): any random-access input, any output sink, backpressure, failures on either side, and
// the quarantine file of dropped rows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as arrow from 'apache-arrow';
import { PermanentError, TransientError } from '@sluice/contracts';
import { describe, expect, it } from 'vitest';
import type { OutputSink } from './io/output-sink';
import { type RandomAccessInput, memoryInput } from './io/random-access-input';
import { normalize, normalizeFile } from './normalize';
import { QUALITY_RULE_COLUMN } from './row-group';
import { canonicalArrowSchema } from './schemas/canonical';
import { FHVHV_SCHEMA_V1 } from './schemas/fhvhv.schema';
import { buildFhvhvTable } from './synthetic/fhvhv.generator';
import { columnValues, readParquetTable, rejectionOf, tempDir } from './testing/parquet-readback';
import { encodeParquet } from './writer';

const dir = tempDir('streams');
const synthetic = buildFhvhvTable({ month: '2024-03', rows: 12_000, invalidFraction: 0.02, seed: 7 });
const sourceBytes = encodeParquet(synthetic.table, { compression: 'snappy' });
const options = { dataset: 'fhvhv' as const, month: '2024-03', rowGroupRows: 2_500, windowRows: 1_000 };

/** An in-memory sink that records what happens to it; `delayMs` makes every write slow. */
function recordingSink(opts: { delayMs?: number; failOnWrite?: number } = {}) {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  let writes = 0;
  const sink: OutputSink = {
    name: 'memory',
    async write(chunk) {
      writes++;
      if (opts.failOnWrite === writes) throw new TransientError('s3_unavailable', 'the sink went away');
      if (opts.delayMs) await sleep(opts.delayMs);
      chunks.push(chunk.slice());
      events.push('write');
    },
    async commit() {
      events.push('commit');
      return { bytes: chunks.reduce((n, c) => n + c.length, 0) };
    },
    async abort() {
      events.push('abort');
    },
  };
  return { sink, events, bytes: () => Buffer.concat(chunks) };
}

function readTable(bytes: Uint8Array, name: string): arrow.Table {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return readParquetTable(file);
}

describe('normalize(input, sink)', () => {
  it('writes to any sink, slow or not, the same bytes as a local file, committed once', async () => {
    const inputPath = path.join(dir, 'source.parquet');
    fs.writeFileSync(inputPath, sourceBytes);
    const outputPath = path.join(dir, 'local.parquet');
    const local = await normalizeFile({ inputPath, outputPath, ...options });

    const slow = recordingSink({ delayMs: 5 });
    const report = await normalize(memoryInput(sourceBytes), slow.sink, options);
    expect(report).toEqual(local);
    expect(slow.events.filter((e) => e === 'write').length).toBeGreaterThan(1);
    expect(slow.events.slice(-1)).toEqual(['commit']);
    expect(slow.events).not.toContain('abort');
    expect(slow.bytes().equals(fs.readFileSync(outputPath))).toBe(true);
    expect(report.outputBytes).toBe(slow.bytes().length);
    expect(report.rowGroups).toBe(Math.ceil(report.rowsOut / options.rowGroupRows));
    const table = readTable(slow.bytes(), 'slow.parquet');
    expect(table.numRows).toBe(report.rowsOut);
  });

  it('a sink that fails mid-stream fails the file with its error, and is aborted, never committed', async () => {
    const failing = recordingSink({ failOnWrite: 2 });
    const error = await rejectionOf(normalize(memoryInput(sourceBytes), failing.sink, options));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('s3_unavailable');
    expect(failing.events).toContain('abort');
    expect(failing.events).not.toContain('commit');
  });

  it('an input that fails mid-read keeps its own error (a transient read is not "corrupt")', async () => {
    let reads = 0;
    const base = memoryInput(sourceBytes);
    const flaky: RandomAccessInput = {
      ...base,
      readSync(into, offset, length, position) {
        if (++reads > 6) throw new TransientError('source_unavailable', 'connection reset');
        return base.readSync(into, offset, length, position);
      },
    };
    const out = recordingSink();
    const error = await rejectionOf(normalize(flaky, out.sink, options));
    expect(error.code).toBe('source_unavailable');
    expect(error.kind).toBe('transient');
    expect(out.events).toContain('abort');
    expect(out.events).not.toContain('commit');
  });

  it('bad arguments abort the sinks too', async () => {
    const out = recordingSink();
    const quarantine = recordingSink();
    const error = await rejectionOf(
      normalize(memoryInput(sourceBytes), out.sink, { ...options, month: '2024-3', quarantine: quarantine.sink }),
    );
    expect(error.code).toBe('invalid_month');
    expect(out.events).toEqual(['abort']);
    expect(quarantine.events).toEqual(['abort']);
  });
});

describe('quarantine', () => {
  it('holds exactly the dropped rows, each with the rule it broke, in the canonical types', async () => {
    const out = recordingSink();
    const quarantine = recordingSink({ delayMs: 2 });
    const report = await normalize(memoryInput(sourceBytes), out.sink, { ...options, quarantine: quarantine.sink });
    const droppedRows = Object.values(report.dropped).reduce((a, b) => a + b, 0);
    expect(droppedRows).toBe(synthetic.invalidRowIndexes.length);
    expect(report.quarantine).toEqual({ rows: droppedRows, bytes: quarantine.bytes().length });
    expect(quarantine.events.slice(-1)).toEqual(['commit']);

    const table = readTable(quarantine.bytes(), 'quarantine.parquet');
    expect(table.numRows).toBe(droppedRows);
    const canonical = canonicalArrowSchema(FHVHV_SCHEMA_V1);
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      ...canonical.fields.map((f) => `${f.name}: ${f.type}`),
      `${QUALITY_RULE_COLUMN}: Dictionary<Int32, Utf8>`,
    ]);
    const byRule: Record<string, number> = Object.fromEntries(Object.keys(report.dropped).map((r) => [r, 0]));
    for (const rule of columnValues(table, QUALITY_RULE_COLUMN)) byRule[rule as string]++;
    expect(byRule).toEqual(report.dropped);
    // the same rows, in source order: the pickup of every invalid source row
    const sourcePickups = columnValues(synthetic.table, 'pickup_datetime');
    const unit = (synthetic.table.getChild('pickup_datetime')!.type as arrow.Timestamp).unit;
    const scale = unit === arrow.TimeUnit.NANOSECOND ? 1000n : 1n;
    const expected = synthetic.invalidRowIndexes.map((i) => {
      const v = sourcePickups[i] as bigint | null;
      return v === null ? null : v / scale;
    });
    expect(columnValues(table, 'pickup_datetime')).toEqual(expected);
  });

  it('is written with 0 rows when nothing was dropped', async () => {
    const clean = buildFhvhvTable({ month: '2024-03', rows: 500, invalidFraction: 0, seed: 3 });
    const quarantine = recordingSink();
    const report = await normalize(
      memoryInput(encodeParquet(clean.table, { compression: 'snappy' })),
      recordingSink().sink,
      { ...options, quarantine: quarantine.sink },
    );
    expect(report.quarantine?.rows).toBe(0);
    expect(readTable(quarantine.bytes(), 'empty-quarantine.parquet').numRows).toBe(0);
  });

  it('a failing quarantine sink fails the file with its error and aborts the output', async () => {
    const out = recordingSink();
    const quarantine = recordingSink({ failOnWrite: 1 });
    const error = await rejectionOf(normalize(memoryInput(sourceBytes), out.sink, { ...options, quarantine: quarantine.sink }));
    expect(error.code).toBe('s3_unavailable');
    expect(out.events).toContain('abort');
    expect(out.events).not.toContain('commit');
    expect(quarantine.events).not.toContain('commit');
  });

  it('an output sink that fails mid-stream fails the file with its error; the quarantine is aborted, not left waiting', async () => {
    const out = recordingSink({ failOnWrite: 2 });
    const quarantine = recordingSink();
    const error = await rejectionOf(normalize(memoryInput(sourceBytes), out.sink, { ...options, quarantine: quarantine.sink }));
    expect(error.code).toBe('s3_unavailable');
    expect(out.events).toContain('abort');
    expect(quarantine.events).toContain('abort');
    expect([...out.events, ...quarantine.events]).not.toContain('commit');
  }, 20_000);

  it('normalizeFile writes a local quarantine file and leaves no .partial behind on failure', async () => {
    const inputPath = path.join(dir, 'q-source.parquet');
    fs.writeFileSync(inputPath, sourceBytes);
    const outputPath = path.join(dir, 'q-out.parquet');
    const quarantinePath = path.join(dir, 'q-rejected.parquet');
    const report = await normalizeFile({ inputPath, outputPath, quarantinePath, ...options });
    expect(readParquetTable(quarantinePath).numRows).toBe(report.quarantine?.rows);

    fs.writeFileSync(inputPath, Buffer.from('<!DOCTYPE HTML><html>gone</html>'));
    const failed = await rejectionOf(normalizeFile({ inputPath, outputPath: `${outputPath}.2`, quarantinePath: `${quarantinePath}.2`, ...options }));
    expect(failed).toBeInstanceOf(PermanentError);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.2') || f.endsWith('.2.partial'))).toEqual([]);
  });
});
