/**
 * A count as people read it, digits grouped by thousands (1234567 → `1,234,567`): what
 * `toLocaleString('en-US')` gives for an integer, without Intl. A process's first
 * `toLocaleString` loads ICU's number formatting, ~110 M instructions (valgrind, a fresh
 * Node process), paid by the first delivery with findings after every cold start (issue 15).
 * Anything but a safe integer goes to `toLocaleString` as before.
 */
export function countText(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}
