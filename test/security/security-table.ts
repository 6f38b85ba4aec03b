// What a security scenario is judged by (npm run test:security): what an operator or attacker did, what sluice was
// expected to do, what it did, and what was lost, duplicated or clobbered (a good output or manifest overwritten,
// a run record or report falsified). Each test records its row; the script prints them as one table.
import { appendFileSync } from 'node:fs';

export interface SecurityRow {
  /** The issue-12 section the scenario belongs to, e.g. `bus`, `http`, `liveness`, `iam`, `quality`, `secrets`. */
  area: string;
  scenario: string;
  expected: string;
  happened: string;
  lost: number;
  duplicated: number;
  clobbered: number;
}

/** Appends the row to $SLUICE_SECURITY_REPORT (set by `npm run test:security`); returns it for the test's assertions. */
export function recordSecurityRow(row: SecurityRow): SecurityRow {
  if (process.env.SLUICE_SECURITY_REPORT) appendFileSync(process.env.SLUICE_SECURITY_REPORT, `${JSON.stringify(row)}\n`);
  return row;
}
