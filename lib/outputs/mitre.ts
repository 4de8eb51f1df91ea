/**
 * MITRE ATT&CK technique → the ASFF "TTPs" category (the tactic) Security Hub accepts
 * (ASFF Types taxonomy: TTPs/Initial Access, Execution, Persistence, Privilege Escalation,
 * Defense Evasion, Credential Access, Discovery, Lateral Movement, Collection, Command and
 * Control; Impact and Exfiltration are not categories there, so they map to "Effects").
 * Only the techniques the built-in rules and common Sigma cloud rules reference; an unknown
 * technique still yields a type (classifier = the technique id) under "TTPs" only if its
 * tactic is known, else nothing.
 */
const TACTIC: Record<string, string> = {
  T1021: 'TTPs/Lateral Movement',
  T1059: 'TTPs/Execution',
  T1078: 'TTPs/Initial Access',
  T1087: 'TTPs/Discovery',
  T1098: 'TTPs/Persistence',
  T1110: 'TTPs/Credential Access',
  T1136: 'TTPs/Persistence',
  T1190: 'TTPs/Initial Access',
  T1222: 'TTPs/Defense Evasion',
  T1485: 'Effects/Data Destruction',
  T1486: 'Effects/Data Destruction',
  T1496: 'Effects/Resource Consumption',
  T1525: 'TTPs/Persistence',
  T1526: 'TTPs/Discovery',
  T1530: 'TTPs/Collection',
  T1535: 'TTPs/Defense Evasion',
  T1537: 'Effects/Data Exfiltration',
  T1546: 'TTPs/Persistence',
  T1550: 'TTPs/Lateral Movement',
  T1552: 'TTPs/Credential Access',
  T1555: 'TTPs/Credential Access',
  T1556: 'TTPs/Credential Access',
  T1562: 'TTPs/Defense Evasion',
  T1580: 'TTPs/Discovery',
  T1651: 'TTPs/Execution',
  T1666: 'TTPs/Defense Evasion',
};

/** Technique ids in rule references: `MITRE ATT&CK T1562.008`, Sigma tags `attack.t1098.001`. */
export function techniques(references: readonly string[]): string[] {
  const found = new Set<string>();
  for (const ref of references) {
    for (const m of ref.matchAll(/\b(?:attack\.)?(t\d{4}(?:\.\d{3})?)\b/gi)) found.add((m[1] ?? '').toUpperCase());
  }
  return [...found];
}

/** ASFF `Types` for techniques: `TTPs/<tactic>/<technique>` (or `Effects/…`). */
export function ttpTypes(references: readonly string[]): string[] {
  const types = new Set<string>();
  for (const technique of techniques(references)) {
    const tactic = TACTIC[technique.split('.')[0] ?? ''];
    if (tactic) types.add(`${tactic}/MITRE ATT&CK ${technique}`);
  }
  return [...types];
}
