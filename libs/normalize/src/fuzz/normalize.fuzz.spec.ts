// The fuzzer's short budget, run with the unit tests: mutated files of every dataset and codec, each normalized in
// a child process with a heap cap and a timeout, must end with a valid output or a permanent error within their
// time and memory bounds; then every fixture the fuzzer ever saved is replayed. `npm run fuzz` runs the long one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../datasets';
import { normalizeFile } from '../normalize';
import { columnValues, readParquetTable, tempDir } from '../testing/parquet-readback';
import { FUZZ_CODECS, FUZZ_DATASETS, FUZZ_MONTH, baseFile, baseName } from './base-files';
import { CaseRunner, DEFAULT_BOUNDS, verdict } from './case-runner';
import { formatSummary, runCampaign, savedFixtures } from './fuzz-campaign';
import { caseLimits, caseSeed, makeCase } from './fuzz-case';
import { anatomyOf, spliceData } from './parquet-anatomy';
import { thriftSpans } from './thrift-spans';

/** Fixed: the short budget runs the same cases every time (a failure names the seed that replays it). */
const SHORT_BUDGET_SEED = 20261130;
const SHORT_BUDGET_CASES = Number(process.env.FUZZ_CASES ?? 64);

describe('fuzzer, short budget', () => {
  it('ends every case with a valid output or a permanent error, within its time and memory bounds', async () => {
    const saveDir = path.join(os.tmpdir(), 'sluice-fuzz-failures');
    const summary = await runCampaign({ seed: SHORT_BUDGET_SEED, cases: SHORT_BUDGET_CASES, saveDir, log: (line) => console.log(line) });
    console.log(formatSummary(summary));
    if (summary.failures.length > 0) console.log(`replay one with: npm run fuzz -- --case <seed> (saves it as a fixture)`);
    expect(summary.failures.map((f) => `${f.description}: ${f.reason}`)).toEqual([]);
    expect(summary.cases).toBe(SHORT_BUDGET_CASES);
    // the budget reaches every mutation kind (the seed is fixed: this holds or fails for good)
    expect(Object.keys(summary.byKind).sort()).toEqual(
      ['chunk-offsets', 'flip-bytes', 'footer-field', 'nested-thrift', 'page-header-field', 'trailer-length', 'truncate'],
    );
  }, 180_000);

  it('derives every case from its seed alone; a budget of 64 covers every dataset, codec and page layout', () => {
    const cases = Array.from({ length: 64 }, (_, i) => makeCase(caseSeed(SHORT_BUDGET_SEED, i)));
    expect(new Set(cases.map((c) => baseName(c.base))).size).toBe(FUZZ_DATASETS.length * FUZZ_CODECS.length * 2);
    // about half of them with every page streamed
    const streamed = cases.filter((c) => c.streamed).length;
    expect(streamed).toBeGreaterThan(16);
    expect(streamed).toBeLessThan(48);
    const again = makeCase(cases[7].seed);
    expect({ detail: again.detail, bytes: Buffer.from(again.bytes).toString('base64') }).toEqual({
      detail: cases[7].detail,
      bytes: Buffer.from(cases[7].bytes).toString('base64'),
    });
  });
});

describe("fuzzer, streamed cases", () => {
  it.each(FUZZ_CODECS)('read a valid %s file exactly as when its pages are decompressed whole', async (codec) => {
    const dir = tempDir('fuzz-streamed');
    const inputPath = path.join(dir, `yellow_tripdata_${FUZZ_MONTH}.parquet`);
    fs.writeFileSync(inputPath, baseFile({ dataset: 'yellow', codec, pages: 'one' }));
    const outputs = [];
    for (const streamed of [false, true]) {
      const outputPath = path.join(dir, `out-${streamed}.parquet`);
      await normalizeFile({ inputPath, outputPath, dataset: 'yellow', month: FUZZ_MONTH, limits: caseLimits({ streamed }) });
      const table = readParquetTable(outputPath);
      outputs.push(Object.fromEntries(table.schema.fields.map((f) => [f.name, columnValues(table, f.name)])));
    }
    expect(outputs[1]).toEqual(outputs[0]);
  });
});

describe('fuzzer, structure-aware edits', () => {
  it('finds every page of every chunk, and a splice that changes a header\'s length keeps the file consistent', async () => {
    const file = baseFile({ dataset: 'yellow', codec: 'zstd', pages: 'small' });
    const anatomy = anatomyOf(file);
    expect(anatomy.chunks.length).toBe(2 * 19); // two row groups of yellow's 19 columns (before 2025)
    for (const chunk of anatomy.chunks) {
      const pages = anatomy.pages.filter((p) => p.chunk === chunk);
      expect(pages.at(-1)!.dataEnd - pages[0].headerStart).toBe(chunk.length);
    }
    expect(anatomy.pages.length).toBeGreaterThan(4 * anatomy.chunks.length); // 'small': many pages per chunk
    // the first data page's compressed_page_size written one byte longer (a padded varint: same value), so every
    // later offset moves: the file must read exactly as before
    const page = anatomy.pages.find((p) => p.type === 0)!;
    const span = thriftSpans(file.subarray(page.headerStart, page.headerEnd)).spans.find((s) => s.kind === 'int' && s.path.join('.') === '3')!;
    const varint = [...file.subarray(page.headerStart + span.start, page.headerStart + span.end)];
    const padded = [...varint.slice(0, -1), varint[varint.length - 1] | 0x80, 0];
    const spliced = spliceData(file, anatomy, page.headerStart + span.start, page.headerStart + span.end, padded);
    expect(spliced.length).toBe(file.length + 1);
    const dir = tempDir('fuzz-splice');
    const outputs = [];
    for (const [name, bytes] of [['original', file], ['spliced', spliced]] as const) {
      const inputPath = path.join(dir, name, `yellow_tripdata_${FUZZ_MONTH}.parquet`);
      fs.mkdirSync(path.dirname(inputPath));
      fs.writeFileSync(inputPath, bytes);
      const outputPath = path.join(dir, name, 'out.parquet');
      await normalizeFile({ inputPath, outputPath, dataset: 'yellow', month: FUZZ_MONTH });
      const table = readParquetTable(outputPath);
      outputs.push(Object.fromEntries(table.schema.fields.map((f) => [f.name, columnValues(table, f.name)])));
    }
    expect(outputs[1]).toEqual(outputs[0]);
  });
});

const fixtures = savedFixtures();
// (vitest fails a describe with no test in it: the block exists once a fixture does)
if (fixtures.length > 0) describe('fuzzer fixtures', () => {
  const runner = new CaseRunner(DEFAULT_BOUNDS);
  afterAll(() => runner.close());

  it.each(fixtures.map((f) => [path.basename(f.file), f] as const))(
    '%s ends with a valid output or a permanent error',
    async (_, { meta, file }) => {
      const result = await runner.run(fs.readFileSync(file), meta.dataset as Dataset, meta.month, caseLimits({ streamed: meta.streamed ?? false }));
      expect({ fixture: meta.detail, failure: verdict(result, DEFAULT_BOUNDS, meta.mustFail) }).toEqual({ fixture: meta.detail, failure: undefined });
    },
    60_000,
  );
});
