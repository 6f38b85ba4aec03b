// Prints the fault-injection table from the rows the fault tests recorded (npm run test:faults).
const { existsSync, readFileSync } = require('node:fs');
const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('no fault rows recorded');
  process.exit(0);
}
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const head = ['scenario', 'files expected', 'completed', 'failed with reason', 'lost', 'duplicated', 'partial outputs visible'];
const cells = rows.map((r) => [r.scenario, r.expected, r.completed, r.failedWithReason, r.lost, r.duplicated, r.partial].map(String));
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
console.log(`\n${line(head)}\n|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`);
for (const c of cells) console.log(line(c));
const bad = rows.filter((r) => r.lost || r.duplicated || r.partial);
console.log(bad.length ? `\n${bad.length} scenario(s) lost, duplicated or exposed partial output` : '\nlost, duplicated and partial are 0 in every row');
