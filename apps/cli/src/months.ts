// `--months 2024-01..2024-03,2024-07` → ['2024-01', '2024-02', '2024-03', '2024-07'].
import { MonthSchema } from '@sluice/contracts';

export function parseMonths(spec: string): string[] {
  const months = new Set<string>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from, to] = part.split('..');
    if (!MonthSchema.safeParse(from).success || (to !== undefined && !MonthSchema.safeParse(to).success)) {
      throw new Error(`invalid month "${part}": use YYYY-MM or YYYY-MM..YYYY-MM`);
    }
    if (to === undefined) {
      months.add(from);
      continue;
    }
    if (to < from) throw new Error(`invalid month range "${part}": ${to} is before ${from}`);
    for (let m = from; m <= to; m = nextMonth(m)) months.add(m);
  }
  return [...months].sort();
}

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
