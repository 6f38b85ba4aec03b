// The time part of a generated run id, shared by the scanner's ids (`r20261125-201850-42`) and the CLI's
// (`cli-20261125-201850-a1b2`): UTC, to the second, in characters a run id may hold.

/** `2026-11-25T20:18:50.123Z` → `20261125-201850`. */
export function runIdStamp(at: Date | number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}
