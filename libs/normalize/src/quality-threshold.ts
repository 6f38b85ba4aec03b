// The drop-fraction guard: a file whose quality rules drop more than a set fraction of its rows is not cleaned,
// it is wrong (named for another month, of another dataset, a broken export). Such a file fails as
// `quality_threshold`, with the figures that show why, and nothing of it is committed (normalize checks this
// after writing and before committing either sink). Pure: it decides and words the error, normalize wires it in.
import { PermanentError } from '@sluice/contracts';

export interface DropFigures {
  dataset: string;
  month: string;
  rowsIn: number;
  /** Rows dropped per rule. */
  dropped: Record<string, number>;
}

/** How many rules the error names (the ones that dropped most); the rest are summed. */
const TOP_RULES = 3;

/** Dropped rows / rows in; 0 for a file with no rows (nothing was dropped from it). */
export function dropFraction(figures: Pick<DropFigures, 'rowsIn' | 'dropped'>): number {
  if (figures.rowsIn === 0) return 0;
  return totalDropped(figures.dropped) / figures.rowsIn;
}

/** A fraction in 0..1, or a RangeError naming it (the boundaries check their own inputs with zod first). */
export function checkMaxDropFraction(maxDropFraction: number): void {
  if (!(Number.isFinite(maxDropFraction) && maxDropFraction >= 0 && maxDropFraction <= 1)) {
    throw new RangeError(`maxDropFraction must be a number from 0 to 1, got ${maxDropFraction}`);
  }
}

/**
 * Throws PermanentError `quality_threshold` when the rules dropped more than `maxDropFraction` of the rows
 * (a fraction equal to the limit passes; 1 lets everything through). The message is the report: rows in,
 * dropped, the fraction against the limit, and the rules that dropped most with their counts.
 */
export function assertDropFractionWithin(figures: DropFigures, maxDropFraction: number): void {
  const fraction = dropFraction(figures);
  if (fraction <= maxDropFraction) return;
  const dropped = totalDropped(figures.dropped);
  const rules = Object.entries(figures.dropped)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const named = rules.slice(0, TOP_RULES).map(([rule, n]) => `${rule} ${count(n)}`);
  const rest = rules.slice(TOP_RULES);
  if (rest.length > 0) named.push(`${rest.length} more rule(s) ${count(rest.reduce((s, [, n]) => s + n, 0))}`);
  const hint =
    rules[0]?.[0] === 'pickup_outside_month'
      ? ` Most pickups are outside ${figures.month}: is the file named for the wrong month?`
      : '';
  throw new PermanentError(
    'quality_threshold',
    `the quality rules dropped ${count(dropped)} of ${count(figures.rowsIn)} rows (${percent(fraction)}), ` +
      `more than the ${percent(maxDropFraction)} allowed (max drop fraction ${maxDropFraction}): ${named.join(', ')}. ` +
      `Nothing was written for ${figures.dataset} ${figures.month}.${hint} ` +
      'If these drops are expected, allow them for one run (sluice run --max-drop-fraction, or ' +
      'sluice normalize --max-drop-fraction) or raise MAX_DROP_FRACTION.',
  );
}

function totalDropped(dropped: Record<string, number>): number {
  return Object.values(dropped).reduce((a, b) => a + b, 0);
}

const count = (n: number) => n.toLocaleString('en-US');
/** 0.1 → "10 %", 0.004 → "0.4 %", 1/3 → "33.33 %". */
const percent = (fraction: number) => `${Number((fraction * 100).toFixed(2))} %`;
