// Prints the security table from the rows the security tests recorded (npm run test:security).
const { existsSync, readFileSync } = require('node:fs');
const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('no security rows recorded');
  process.exit(0);
}
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
rows.sort((a, b) => a.area.localeCompare(b.area));
const head = ['area', 'scenario', 'expected', 'what happened', 'lost', 'duplicated', 'clobbered'];
const cells = rows.map((r) => [r.area, r.scenario, r.expected, r.happened, r.lost, r.duplicated, r.clobbered].map((v) => String(v).replace(/\|/g, '\\|')));
console.log(`\n| ${head.join(' | ')} |\n|${head.map((_, i) => (i < 4 ? ':---' : '---:')).join('|')}|`);
for (const c of cells) console.log(`| ${c.join(' | ')} |`);
const bad = rows.filter((r) => r.lost || r.duplicated || r.clobbered);
console.log(bad.length ? `\n${bad.length} scenario(s) lost, duplicated or clobbered something` : `\n${rows.length} scenarios: lost, duplicated and clobbered are 0 in every row`);
