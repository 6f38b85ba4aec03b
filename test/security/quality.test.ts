// Issue 12, section 5: nothing silently dropped, nothing clobbered. Through the real pipeline: a file named for the
// wrong month fails `quality_threshold` and commits nothing (a good earlier output of that month stays), the run
// goes on and its report says why, and a per-run override commits it; Git LFS pointers and `curl -i` output get
// their hints. Through the built CLI: an output (or quarantine) that is the input is refused, Ctrl-C and SIGTERM
// leave no `.partial`, an output that cannot be written is named as the output.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { manifestKey, outputKey, runReportKey, type Manifest, type RunRecord } from '@sluice/contracts';
import { appEntry } from '@sluice/embedded';
import { generateBadFile, generateFhvhvParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudFrontLike, startCloudFrontLike, startPipelineHarness, waitFor, type PipelineHarness } from '../support';
import { recordSecurityRow } from './security-table';

const exec = promisify(execFile);
const key = (month: string) => `fhvhv_tripdata_${month}.parquet`;
/** November 2023's trips, put in a file named for a 2024 month: every pickup is outside that month. */
const wrongMonth = (seed: number) => generateFhvhvParquet({ month: '2023-11', rows: 3_000, seed });

let h: PipelineHarness;
let cloudfront: CloudFrontLike;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-quality-'));

beforeAll(async () => {
  h = await startPipelineHarness();
  await h.startService('scanner');
  await h.startService('capacity-manager');
  cloudfront = await startCloudFrontLike();
}, 60_000);
afterAll(async () => {
  await cloudfront?.stop();
  await h?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function sluice(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [appEntry('cli'), ...args], {
      cwd: opts.cwd ?? dir,
      env: { PATH: process.env.PATH, ...opts.env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const bytesOf = async (objectKey: string) => {
  const b = await h.sink.getBytes(objectKey);
  return b ? Buffer.from(b) : undefined;
};
const manifestOf = async (month: string): Promise<Manifest | undefined> => (await h.manifests()).find((m) => m.month === month);
const doneCommits = (runId: string, sourceKey: string) =>
  h.fileEvents.filter((e) => e.runId === runId && e.sourceKey === sourceKey && e.type === 'done' && !e.alreadyCommitted).length;
/** Files of the run that neither committed nor failed with a reason. */
const lostIn = (record: RunRecord) => Object.values(record.files).filter((f) => f.status !== 'done' && !(f.status === 'failed' && f.failure?.reason)).length;

describe('the drop-fraction guard in the pipeline', () => {
  let wrong: RunRecord;
  let before: { output: Buffer | undefined; manifest: Buffer | undefined };

  beforeAll(async () => {
    // 2024-02 committed once from a good file; then its source is replaced by a file of November's trips
    await h.source.put(key('2024-02'), generateFhvhvParquet({ month: '2024-02', rows: 3_000, seed: 2 }));
    const good = await h.run({ intent: 'incremental', runId: 'q-good' });
    expect(good.state).toBe('succeeded');
    before = { output: await bytesOf(outputKey('fhvhv', '2024-02')), manifest: await bytesOf(manifestKey('fhvhv', '2024-02')) };
    expect(before.output?.length).toBeGreaterThan(0);

    await h.source.put(key('2024-02'), wrongMonth(3)); // replaced: a new ETag, so the next incremental run takes it
    await h.source.put(key('2024-04'), wrongMonth(4)); // new, no earlier output
    await h.source.put(key('2024-03'), generateFhvhvParquet({ month: '2024-03', rows: 3_000, seed: 5 })); // good
    await h.source.put(key('2024-05'), generateBadFile('git-lfs-pointer', 6));
    await h.source.put(key('2024-06'), generateBadFile('curl-include', 7));
    wrong = await h.run({ intent: 'incremental', runId: 'q-wrong' }, 120_000);
  }, 180_000);

  it('fails a file named for the wrong month as quality_threshold with its figures, commits nothing, and keeps the earlier output', async () => {
    const replaced = wrong.files[key('2024-02')];
    const fresh = wrong.files[key('2024-04')];
    const after = { output: await bytesOf(outputKey('fhvhv', '2024-02')), manifest: await bytesOf(manifestKey('fhvhv', '2024-02')) };
    const clobbered = Number(!after.output?.equals(before.output!)) + Number(!after.manifest?.equals(before.manifest!));
    const committedWrong = Number((await h.sink.head(outputKey('fhvhv', '2024-04'))) !== undefined) + Number((await manifestOf('2024-04')) !== undefined);
    const row = recordSecurityRow({
      area: 'quality',
      scenario: 'a file named for the wrong month (100 % pickup_outside_month), once replacing a good month, once new',
      expected: 'quality_threshold with rows in / dropped / fraction / top rules; nothing committed; earlier output kept; run goes on',
      happened: `${replaced.status} (${replaced.failure?.code}: ${replaced.failure?.reason.slice(0, 70)}…), new one ${fresh.status}; run ${wrong.state}, ${wrong.done} done`,
      lost: lostIn(wrong),
      duplicated: Object.keys(wrong.files).reduce((n, k) => n + Math.max(0, doneCommits('q-wrong', k) - 1), 0),
      clobbered: clobbered + committedWrong,
    });
    expect(replaced.status).toBe('failed');
    expect(replaced.failure?.code).toBe('quality_threshold');
    expect(replaced.failure?.reason).toMatch(
      /^the quality rules dropped 3,000 of 3,000 rows \(100 %\), more than the 10 % allowed \(max drop fraction 0\.1\): pickup_outside_month 2,9\d\d, .*Nothing was written for fhvhv 2024-02\. .*wrong month/,
    );
    expect(fresh.status).toBe('failed');
    expect(fresh.failure?.code).toBe('quality_threshold');
    expect(row).toMatchObject({ lost: 0, duplicated: 0, clobbered: 0 });
    expect((await manifestOf('2024-02'))?.runId).toBe('q-good');
    expect(await h.sink.head(`_quarantine/fhvhv/year=2024/month=04/fhvhv_2024-04.parquet`)).toBeUndefined();
    // the run went on: the good file of the same run committed, and the report says why the others failed
    expect(wrong.files[key('2024-03')].status).toBe('done');
    expect(wrong.state).toBe('completed_with_failures');
    const report = JSON.parse((await bytesOf(runReportKey('q-wrong')))!.toString());
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { sourceKey: key('2024-02'), code: 'quality_threshold', reason: expect.stringMatching(/3,000 of 3,000 rows/), attempt: expect.any(Number) },
        { sourceKey: key('2024-04'), code: 'quality_threshold', reason: expect.stringMatching(/3,000 of 3,000 rows/), attempt: expect.any(Number) },
      ]),
    );
    const letters = (await h.deadLetters()).filter((d) => d.runId === 'q-wrong' && d.code === 'quality_threshold');
    expect(letters.map((d) => d.key).sort()).toEqual([key('2024-02'), key('2024-04')]);
  });

  it('names a Git LFS pointer and curl -i output for what they are (not_parquet with a hint)', async () => {
    const lfs = wrong.files[key('2024-05')];
    const curl = wrong.files[key('2024-06')];
    const row = recordSecurityRow({
      area: 'quality',
      scenario: 'a Git LFS pointer and `curl -i` output saved as .parquet (pipeline)',
      expected: 'not_parquet, each with its own hint (git lfs pull / download again without -i), nothing committed',
      happened: `${lfs.failure?.code}: ${lfs.failure?.reason.slice(0, 65)}… / ${curl.failure?.code}: ${curl.failure?.reason.slice(0, 65)}…`,
      lost: lostIn(wrong),
      duplicated: 0,
      clobbered: Number((await manifestOf('2024-05')) !== undefined) + Number((await manifestOf('2024-06')) !== undefined),
    });
    expect(lfs.failure?.code).toBe('not_parquet');
    expect(lfs.failure?.reason).toMatch(/^not a Parquet file: starts with 'version https:\/\/git-lfs\.' \(a Git LFS pointer file, not the data \(the real file is [\d,]+ bytes\): fetch it with 'git lfs pull'/);
    expect(curl.failure?.code).toBe('not_parquet');
    expect(curl.failure?.reason).toMatch(/\(HTTP status line and headers saved in front of the file \(curl -i \/ --include output\?\); the Parquet data starts after them, at byte \d+: download it again without -i\)/);
    expect(row).toMatchObject({ lost: 0, clobbered: 0 });
  });

  it('a run with its own --max-drop-fraction 1 commits the same file, and records the option', async () => {
    const override = await h.run({ intent: 'incremental', runId: 'q-override', months: ['2024-02'], maxDropFraction: 1 }, 120_000);
    const manifest = await manifestOf('2024-02');
    const report = JSON.parse((await bytesOf(runReportKey('q-override')))!.toString());
    recordSecurityRow({
      area: 'quality',
      scenario: 'the wrong-month file again, in a run with maxDropFraction 1 (a deliberate override)',
      expected: 'committed, the option in the run record and report',
      happened: `${override.state}: ${manifest?.rowsIn} rows in, ${manifest?.rowsOut} out; options ${JSON.stringify(override.options)}`,
      lost: lostIn(override),
      duplicated: Math.max(0, doneCommits('q-override', key('2024-02')) - 1),
      clobbered: 0,
    });
    expect(override.state).toBe('succeeded');
    expect(override.options).toEqual({ maxDropFraction: 1 });
    expect(report.options).toEqual({ maxDropFraction: 1 });
    expect(manifest).toMatchObject({ runId: 'q-override', rowsIn: 3_000, rowsOut: 0 });
  });
});

describe('sluice normalize', () => {
  const input = path.join(dir, key('2024-03'));
  const original = generateFhvhvParquet({ month: '2024-03', rows: 2_000, seed: 9 });

  beforeAll(() => {
    fs.writeFileSync(input, original);
    fs.symlinkSync(input, path.join(dir, 'link.parquet'));
    fs.linkSync(input, path.join(dir, 'hardlink.parquet'));
  });

  it('refuses an output or quarantine that is the input, however it is spelled: exit 2, the source byte-identical', async () => {
    const attempts: Array<[string, string[]]> = [
      ['same path', [input, input]],
      ['./x vs x', [key('2024-03'), `./${key('2024-03')}`]],
      ['a symlink to the input', [input, path.join(dir, 'link.parquet')]],
      ['a hard link to the input', [input, path.join(dir, 'hardlink.parquet')]],
      ['the quarantine', [input, path.join(dir, 'out.parquet'), '--quarantine', `${dir}/../${path.basename(dir)}/${key('2024-03')}`]],
    ];
    const results = [];
    for (const [name, args] of attempts) results.push({ name, ...(await sluice(['normalize', ...args])) });
    const intact = fs.readFileSync(input).equals(Buffer.from(original));
    const row = recordSecurityRow({
      area: 'quality',
      scenario: '`sluice normalize x.parquet x.parquet` (also ./x, a symlink, a hard link, as the quarantine)',
      expected: 'refused before anything is written: exit 2, a clear error, the source byte-identical',
      happened: results.map((r) => `${r.name}: exit ${r.code}`).join('; '),
      lost: Number(!fs.existsSync(input)),
      duplicated: 0,
      clobbered: Number(!intact),
    });
    for (const r of results) {
      expect(r.code, r.name).toBe(2);
      expect(r.stderr, r.name).toMatch(/^sluice normalize: refusing to run: the (output|quarantine) .* is the input file .*: writing it would destroy the source/);
    }
    expect(row).toMatchObject({ lost: 0, clobbered: 0 });
    expect(fs.existsSync(path.join(dir, 'out.parquet'))).toBe(false);
  });

  it('refuses the same s3:// URL as input and output', async () => {
    await h.source.put(key('2024-03'), original);
    const url = `s3://tlc-source/trip data/${key('2024-03')}`;
    const etag = (await h.source.head(key('2024-03')))?.etag;
    const r = await sluice(['normalize', url, url], {
      env: { S3_ENDPOINT: h.s3.endpoint, AWS_REGION: h.s3.region, AWS_ACCESS_KEY_ID: h.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: h.s3.secretAccessKey },
    });
    const after = await h.source.head(key('2024-03'));
    recordSecurityRow({
      area: 'quality',
      scenario: '`sluice normalize s3://b/k s3://b/k`',
      expected: 'refused: exit 2, the source object unchanged',
      happened: `exit ${r.code}: ${r.stderr.trim().slice(0, 100)}`,
      lost: Number(!after),
      duplicated: 0,
      clobbered: Number(after?.etag !== etag),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the output ${url} is the input file ${url}`);
    expect(after?.etag).toBe(etag);
  });

  it('fails a wrong-month file (quality_threshold, exit 1, nothing written) unless --max-drop-fraction allows it', async () => {
    const misnamed = path.join(dir, key('2024-04'));
    fs.writeFileSync(misnamed, wrongMonth(10));
    const output = path.join(dir, 'wrong.parquet');
    const refused = await sluice(['normalize', misnamed, output, '--quarantine', path.join(dir, 'wrong-q.parquet')]);
    const leftovers = fs.readdirSync(dir).filter((f) => f.startsWith('wrong'));
    const allowed = await sluice(['normalize', misnamed, output, '--max-drop-fraction', '1']);
    recordSecurityRow({
      area: 'quality',
      scenario: '`sluice normalize` on a file named for the wrong month',
      expected: 'exit 1 quality_threshold with the figures, no output; exit 0 with --max-drop-fraction 1',
      happened: `exit ${refused.code} (${refused.stderr.slice(0, 120).trim()}…), left ${leftovers.length} file(s); with 1: exit ${allowed.code}`,
      lost: 0,
      duplicated: 0,
      clobbered: leftovers.length,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/: quality_threshold: the quality rules dropped 3,000 of 3,000 rows \(100 %\), more than the 10 % allowed/);
    expect(leftovers).toEqual([]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/rows out {9}0\n/);
  });

  // Mid-file, deterministically: the CLI reads its input from a CloudFront-like server that answers the first half of
  // the file and holds the reads of the rest, so the signal lands while the outputs are open, and can never land in
  // the commit phase. A remote read blocks the CLI's main thread (the engine reads synchronously, see
  // worker-range-input.ts), and signal handlers run only when its event loop turns: so once the signal has been
  // sent, the held reads are answered 403 (the file unpublished), the read fails, and the handler runs on the first
  // turn (the engine's own cleanup), before the CLI could report that failure: exit 128+n, not 1.
  let midFileSource: Uint8Array | undefined;
  it.each(['SIGINT', 'SIGTERM'] as const)('%s mid-file removes <out>.partial and <quarantine>.partial and exits 128+n', async (signal) => {
    const name = key('2024-07');
    midFileSource ??= generateFhvhvParquet({ month: '2024-07', rows: 30_000, rowGroupRows: 10_000, seed: 11 });
    const file = midFileSource;
    cloudfront.requests.length = 0;
    cloudfront.publish(name, file);
    cloudfront.holdReadsAt(name, Math.floor(file.length / 2)); // in the second of three row groups
    const work = fs.mkdtempSync(path.join(dir, `${signal}-`));
    const output = path.join(work, 'out.parquet');
    const quarantine = path.join(work, 'rejected.parquet');
    const child = spawn(process.execPath, [appEntry('cli'), 'normalize', `${cloudfront.url}${name}`, output, '--quarantine', quarantine], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    let finished = false;
    void exited.then(() => (finished = true));
    const held = () => cloudfront.requests.some((r) => r.name === name && r.status === 0);
    await waitFor(() => finished || held(), { what: `a read of the second half of ${name}`, timeoutMs: 60_000 });
    expect(finished, `the CLI ended before reading the second half: ${stderr}`).toBe(false);
    const open = fs.readdirSync(work).sort();
    child.kill(signal);
    cloudfront.unpublish(name);
    cloudfront.release(name);
    const exit = await exited;
    const left = fs.readdirSync(work);
    recordSecurityRow({
      area: 'quality',
      scenario: `${signal} during \`sluice normalize\` (output and quarantine in progress)`,
      expected: 'the .partial files removed, exit 130 (SIGINT) / 143 (SIGTERM)',
      happened: `exit ${exit.code ?? exit.signal}, left: ${left.join(', ') || 'nothing'}; ${stderr.trim()}`,
      lost: 0,
      duplicated: 0,
      clobbered: left.length,
    });
    expect(open, 'both outputs were being written when the signal was sent').toEqual(['out.parquet.partial', 'rejected.parquet.partial']);
    expect(left).toEqual([]);
    expect(exit.code).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(stderr).toContain(`sluice normalize: interrupted (${signal}): nothing was written`);
  });

  it('an output or quarantine that cannot be written is named as the output, not as the input', async () => {
    const notADir = path.join(dir, 'plain-file');
    fs.writeFileSync(notADir, 'x');
    const cases = [
      { name: 'output in /proc', args: [input, '/proc/x.parquet'], names: '/proc/x.parquet' },
      { name: 'output under a file', args: [input, path.join(notADir, 'out.parquet')], names: path.join(notADir, 'out.parquet') },
      { name: 'quarantine in /proc', args: [input, path.join(dir, 'ok.parquet'), '--quarantine', '/proc/q.parquet'], names: '/proc/q.parquet' },
    ];
    const results = [];
    for (const c of cases) results.push({ ...c, ...(await sluice(['normalize', ...c.args])) });
    recordSecurityRow({
      area: 'quality',
      scenario: 'an output (or quarantine) that cannot be written: /proc, under a regular file',
      expected: 'exit 1, "cannot write <that path>", not "cannot read <input>"; nothing left behind',
      happened: results.map((r) => r.stderr.trim().slice(0, 110)).join(' / '),
      lost: Number(!fs.readFileSync(input).equals(Buffer.from(original))),
      duplicated: 0,
      clobbered: Number(fs.existsSync(path.join(dir, 'ok.parquet')) || fs.existsSync(path.join(dir, 'ok.parquet.partial'))),
    });
    for (const r of results) {
      expect(r.code, r.name).toBe(1);
      expect(r.stderr, r.name).toMatch(new RegExp(`^sluice normalize: \\w+: cannot write ${r.names.replace(/[.]/g, '\\.')} \\(`));
      expect(r.stderr, r.name).not.toContain('cannot read');
    }
    expect(results[0].stderr).toContain("enoent: cannot write /proc/x.parquet (ENOENT: no such file or directory, open '/proc/x.parquet.partial')");
    expect(fs.existsSync(path.join(dir, 'ok.parquet.partial'))).toBe(false);
  });

  it('names a Git LFS pointer and curl -i output (not_parquet with a hint), exit 1', async () => {
    const cases = [
      ['git-lfs-pointer', /not_parquet: not a Parquet file: starts with 'version https:\/\/git-lfs\.' \(a Git LFS pointer file, not the data .*git lfs pull/],
      ['curl-include', /not_parquet: not a Parquet file: starts with 'HTTP\/1\.1 200' \(HTTP status line and headers saved in front of the file \(curl -i/],
    ] as const;
    const results = [];
    for (const [kind, message] of cases) {
      const file = path.join(fs.mkdtempSync(path.join(dir, `${kind}-`)), key('2024-01'));
      fs.writeFileSync(file, generateBadFile(kind));
      results.push({ kind, message, output: `${file}.out`, ...(await sluice(['normalize', file, `${file}.out`])) });
    }
    recordSecurityRow({
      area: 'quality',
      scenario: 'a Git LFS pointer and `curl -i` output saved as .parquet (`sluice normalize`)',
      expected: 'exit 1, not_parquet with its own hint',
      happened: results.map((r) => `exit ${r.code}: ${r.stderr.split(': ').slice(2).join(': ').trim().slice(0, 100)}`).join(' / '),
      lost: 0,
      duplicated: 0,
      clobbered: results.filter((r) => fs.existsSync(r.output)).length,
    });
    for (const r of results) {
      expect(r.code, r.kind).toBe(1);
      expect(r.stderr, r.kind).toMatch(r.message);
      expect(fs.existsSync(r.output), r.kind).toBe(false);
    }
  });
});
