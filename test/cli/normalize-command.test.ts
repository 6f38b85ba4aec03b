// `sluice normalize` as a user runs it: the built CLI on local files, no NATS or S3. Needs `npm run build`.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { appEntry } from '@sluice/embedded';
import { qualityRulesFor } from '@sluice/normalize';
import { generateBadFile, generateFhvParquet, generateYellowParquet } from '@sluice/normalize/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function sluice(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [appEntry('cli'), ...args], {
      env: { PATH: process.env.PATH },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('sluice normalize', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-normalize-'));
  let duck: DuckDBInstance;
  const query = async (sql: string) => {
    const connection = await duck.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJson();
    } finally {
      connection.closeSync();
    }
  };

  beforeAll(async () => {
    duck = await DuckDBInstance.create(':memory:');
  });
  afterAll(() => {
    duck?.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('normalizes a yellow file named by the TLC: dataset and month from the name, the quality report printed', async () => {
    // 1 % of 4,000 rows break one rule each, the five rules taking turns: 8 per rule
    const file = generateYellowParquet({ month: '2024-03', rows: 4_000, rowGroupRows: 1_500, invalidFraction: 0.01, extraColumns: ['x_debug'] });
    const input = path.join(dir, 'yellow_tripdata_2024-03.parquet');
    fs.writeFileSync(input, file);
    const output = path.join(dir, 'out', 'yellow-2024-03.parquet'); // a folder that does not exist yet

    const r = await sluice('normalize', input, output, '--row-group-rows', '1500');

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`normalized ${input} → ${output} (yellow.v1, month 2024-03) in ${r.stdout.match(/in (\d+\.\d)s/)![1]}s`);
    expect(r.stdout).toMatch(/rows in {10}4,000\n/);
    expect(r.stdout).toMatch(/rows out {9}3,960\n/);
    expect(r.stdout).toMatch(/rows dropped {5}40\n/);
    for (const rule of qualityRulesFor('yellow')) expect(r.stdout).toMatch(new RegExp(`\\n {4}${rule} +8\\n`));
    expect(r.stdout).toMatch(/dropped columns {2}x_debug\n/);
    expect(r.stdout).toMatch(/row groups {7}3\n/);
    expect(r.stdout).toContain(`output bytes     ${fs.statSync(output).size.toLocaleString('en-US')}`);
    expect(r.stdout).not.toContain('\u001b'); // no progress bar when stdout is not a terminal

    const [summary] = await query(
      `SELECT count(*) AS n, count(*) FILTER (WHERE PULocationID NOT BETWEEN 1 AND 265) AS bad_zones,
              any_value(typeof(tpep_pickup_datetime)) AS ts, any_value(typeof(airport_fee)) AS fee
       FROM read_parquet('${output}')`,
    );
    expect(summary).toEqual({ n: '3960', bad_zones: '0', ts: 'TIMESTAMP', fee: 'FLOAT' });
  });

  it('--dataset and --month for a file with another name', async () => {
    const input = path.join(dir, 'some-fhv-export.parquet');
    fs.writeFileSync(input, generateFhvParquet({ month: '2016-05', rows: 2_000, invalidFraction: 0 }));
    const output = path.join(dir, 'fhv.parquet');
    const r = await sluice('normalize', input, output, '--dataset', 'fhv', '--month', '2016-05', '--row-group-rows', '500');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(fhv.v1, month 2016-05)');
    expect(r.stdout).toMatch(/rows out {9}2,000\n/);
    expect(r.stdout).toMatch(/row groups {7}4\n/);

    const plain = await sluice('normalize', input, output);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("'some-fhv-export.parquet' is not a TLC file name");
    expect(plain.stderr).toContain('give --dataset and --month');
  });

  it.each([
    ['truncated', /: truncated: truncated Parquet file: it starts with 'PAR1' but does not end/],
    ['html', /: not_parquet: not a Parquet file: starts with '<!DOCTYPE HTML' \(an HTML error page/],
    ['foreign-schema', /: missing_column: none of the \d+ required fhvhv\.v1 columns is present/],
  ] as const)('a bad file (%s): exit 1 with its code and message on one line, no output left behind', async (kind, message) => {
    const input = path.join(fs.mkdtempSync(path.join(dir, `${kind}-`)), 'fhvhv_tripdata_2024-01.parquet');
    fs.writeFileSync(input, generateBadFile(kind));
    const output = path.join(dir, `bad-${kind}.parquet`);
    const r = await sluice('normalize', input, output);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^sluice normalize: ${input.replace(/[.]/g, '\\.')}${message.source}`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(output)).toBe(false);
    expect(fs.existsSync(`${output}.partial`)).toBe(false);
  });
});
