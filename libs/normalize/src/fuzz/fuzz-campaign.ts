// A fuzz campaign: cases derived from one seed, run for a number of cases or seconds, each checked against its
// bounds; outcomes counted by label and by mutation kind, the worst time and RSS kept, and every failing case
// saved as a fixture (its mutated bytes and what it did) that the tests then replay for ever.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FUZZ_MONTH, baseName } from './base-files';
import { type CaseBounds, type CaseResult, CaseRunner, DEFAULT_BOUNDS, outcomeLabel, verdict } from './case-runner';
import { DEFAULT_LIMITS, type FuzzCase, caseLimits, caseSeed, describeCase, makeCase } from './fuzz-case';
import type { MutationLimits } from './mutations';

/** Where the fuzzer's findings are kept, replayed by src/fuzz/normalize.fuzz.spec.ts. */
export const FIXTURE_DIR = path.resolve(__dirname, '../../test-fixtures/fuzz');

export interface FixtureMeta {
  seed: number;
  dataset: string;
  month: string;
  base: string;
  kind: string;
  detail: string;
  /** How it failed when it was found. */
  found: string;
  mustFail?: string;
  /** Every page streamed (see FuzzCase.streamed); absent in fixtures saved before there was a choice. */
  streamed?: boolean;
  note?: string;
}

export interface CampaignOptions {
  seed: number;
  /** Stop after this many cases … */
  cases?: number;
  /** … or after this many seconds, whichever comes first. */
  seconds?: number;
  /** Run exactly these case seeds (a replay) instead of deriving them from `seed`. */
  caseSeeds?: number[];
  bounds?: CaseBounds;
  limits?: MutationLimits;
  /** Failing cases are saved here (`<seed>.parquet` + `<seed>.json`); not saved when undefined. */
  saveDir?: string;
  log?: (line: string) => void;
}

export interface Failure {
  description: string;
  reason: string;
  fixture?: string;
}

export interface CampaignSummary {
  seed: number;
  cases: number;
  seconds: number;
  byOutcome: Record<string, number>;
  byKind: Record<string, Record<string, number>>;
  worstMs: { ms: number; description: string };
  worstRssMiB: { rssMiB: number; description: string };
  failures: Failure[];
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignSummary> {
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const runner = new CaseRunner(bounds);
  const started = performance.now();
  const summary: CampaignSummary = {
    seed: opts.seed,
    cases: 0,
    seconds: 0,
    byOutcome: {},
    byKind: {},
    worstMs: { ms: 0, description: '' },
    worstRssMiB: { rssMiB: 0, description: '' },
    failures: [],
  };
  const limit = opts.caseSeeds?.length ?? opts.cases ?? Number.POSITIVE_INFINITY;
  try {
    for (let i = 0; i < limit; i++) {
      if (opts.seconds !== undefined && performance.now() - started > opts.seconds * 1000) break;
      const fuzzCase = makeCase(opts.caseSeeds?.[i] ?? caseSeed(opts.seed, i), opts.limits ?? DEFAULT_LIMITS);
      const result = await runner.run(fuzzCase.bytes, fuzzCase.base.dataset, FUZZ_MONTH, caseLimits(fuzzCase));
      record(summary, fuzzCase, result);
      const reason = verdict(result, bounds, fuzzCase.mustFail);
      if (reason) {
        const failure: Failure = { description: describeCase(fuzzCase), reason };
        if (opts.saveDir) failure.fixture = saveFixture(opts.saveDir, fuzzCase, `${outcomeLabel(result)}: ${reason}`);
        summary.failures.push(failure);
        opts.log?.(`FAIL ${failure.description}\n     ${reason}${failure.fixture ? `\n     saved as ${failure.fixture}` : ''}`);
      }
    }
  } finally {
    await runner.close();
    summary.seconds = Math.round((performance.now() - started) / 100) / 10;
  }
  return summary;
}

function record(summary: CampaignSummary, fuzzCase: FuzzCase, result: CaseResult): void {
  const label = result.outcome === 'ok' && fuzzCase.mustFail ? 'ok (should have failed)' : outcomeLabel(result);
  summary.cases++;
  summary.byOutcome[label] = (summary.byOutcome[label] ?? 0) + 1;
  const kind = (summary.byKind[fuzzCase.kind] ??= {});
  kind[label] = (kind[label] ?? 0) + 1;
  if (result.ms > summary.worstMs.ms) summary.worstMs = { ms: result.ms, description: describeCase(fuzzCase) };
  if ((result.maxRssMiB ?? 0) > summary.worstRssMiB.rssMiB) {
    summary.worstRssMiB = { rssMiB: result.maxRssMiB ?? 0, description: describeCase(fuzzCase) };
  }
}

export function saveFixture(dir: string, fuzzCase: FuzzCase, found: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const name = `${fuzzCase.seed}-${baseName(fuzzCase.base)}-${fuzzCase.kind}${fuzzCase.streamed ? '-streamed' : ''}`;
  const meta: FixtureMeta = {
    seed: fuzzCase.seed,
    dataset: fuzzCase.base.dataset,
    month: FUZZ_MONTH,
    base: baseName(fuzzCase.base),
    kind: fuzzCase.kind,
    detail: fuzzCase.detail,
    found,
    mustFail: fuzzCase.mustFail,
    streamed: fuzzCase.streamed,
  };
  fs.writeFileSync(path.join(dir, `${name}.parquet`), fuzzCase.bytes);
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  return path.join(dir, `${name}.parquet`);
}

/** Every saved fixture: its metadata and the path of its bytes. */
export function savedFixtures(dir: string = FIXTURE_DIR): { meta: FixtureMeta; file: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      meta: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as FixtureMeta,
      file: path.join(dir, f.replace(/\.json$/, '.parquet')),
    }));
}

/** The summary as the lines `npm run fuzz` prints. */
export function formatSummary(s: CampaignSummary): string {
  const lines = [
    `fuzz: ${s.cases} cases in ${s.seconds} s (campaign seed ${s.seed})`,
    `outcomes: ${Object.entries(s.byOutcome).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    'by mutation:',
    ...Object.entries(s.byKind).map(([kind, outcomes]) => `  ${kind}: ${Object.entries(outcomes).map(([k, n]) => `${k} ${n}`).join(', ')}`),
    `worst time: ${s.worstMs.ms} ms (${s.worstMs.description})`,
    `worst peak RSS: ${s.worstRssMiB.rssMiB} MiB (${s.worstRssMiB.description})`,
    `failures: ${s.failures.length}`,
    ...s.failures.map((f) => `  ${f.description}\n    ${f.reason}${f.fixture ? `\n    fixture: ${f.fixture}` : ''}`),
  ];
  return lines.join('\n');
}
