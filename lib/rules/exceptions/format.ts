import type { SuppressionCount } from './apply';

/**
 * `trailwatch scan`'s summary of what each exception suppressed over the scanned files, so
 * a team can tune an exception on its own history before deploying it. One line per
 * exception and rule, most matches first; an empty list when nothing was suppressed.
 */
export function formatSuppressions(reports: readonly { readonly suppressed?: readonly SuppressionCount[] }[]): string[] {
  const totals = new Map<string, SuppressionCount>();
  for (const report of reports) {
    for (const s of report.suppressed ?? []) {
      const key = `${s.exception}\u0000${s.rule}`;
      const known = totals.get(key);
      totals.set(key, known === undefined ? s : { ...known, matches: known.matches + s.matches });
    }
  }
  return [...totals.values()]
    .sort((a, b) => b.matches - a.matches || a.exception.localeCompare(b.exception) || a.rule.localeCompare(b.rule))
    .map((s) => `SUPPRESSED ${s.matches} ${s.rule} matches by exception ${s.exception} (owner ${s.owner}, expires ${s.expires})`);
}
