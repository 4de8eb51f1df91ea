import { parseAllDocuments, visit } from 'yaml';
import { isMapping } from './detection';
import { refusal, type SigmaRefusedRule } from './problem';

/** A Sigma file's one rule document, ready for `compileSigmaRule`. */
export interface SigmaDocument {
  readonly doc: unknown;
}

/**
 * Reads a Sigma rule file. YAML 1.2 core schema, duplicate keys refused — as the rule loader
 * reads trailwatch rules — with one difference: a plain scalar that YAML reads as a number but
 * that a number cannot give back (`012345678901`, `0x17`, `123456789012345678901`) keeps its
 * text. Such values are identifiers (AWS account ids may start with 0), and as numbers they
 * would lose digits; pySigma's YAML 1.1 reader also keeps `012345678901` as a string.
 *
 * Several documents in one file are the legacy Sigma collection format: an `action: global`
 * document merged into each following one. A global document plus exactly one rule is one
 * rule and is merged here; collections of several rules, `action: reset`/`repeat`, and files
 * holding correlation rules are refused with the reason.
 */
export function parseSigmaYaml(text: string, file: string): SigmaDocument | SigmaRefusedRule {
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
    const list = Array.isArray(parsed) ? parsed : [parsed];
    docs = [];
    for (const d of list) {
      const problem = d.errors[0];
      if (problem !== undefined) return refusal(file, 'invalid', `YAML: ${problem.message.split('\n')[0] ?? 'invalid YAML'}`);
      visit(d, {
        Scalar(_key, node) {
          if (typeof node.value === 'number' && node.type === 'PLAIN' && typeof node.source === 'string' && !isFaithfulNumber(node.source, node.value)) {
            node.value = node.source;
          }
        },
      });
      docs.push(d.toJS({ maxAliasCount: 100 }));
    }
  } catch (err) {
    return refusal(file, 'invalid', `YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  docs = docs.filter((d) => d !== null && d !== undefined);
  if (docs.length === 0) return refusal(file, 'invalid', 'the file is empty');
  if (docs.length === 1) return { doc: docs[0] };
  if (docs.some((d) => isMapping(d) && 'correlation' in d)) {
    return refusal(file, 'unsupported', 'a Sigma correlation rule (with the rules it correlates): correlations are not supported');
  }
  const actions = docs.map((d) => (isMapping(d) ? d.action : undefined));
  const global = docs[0];
  if (actions[0] !== 'global' || !isMapping(global)) {
    return refusal(file, 'unsupported', `${docs.length} YAML documents in one file: one rule per file (or an action: global document and one rule)`);
  }
  const other = actions.slice(1).find((a) => a !== undefined);
  if (other !== undefined) return refusal(file, 'unsupported', `a rule collection with action: ${JSON.stringify(other)}`);
  if (docs.length > 2) return refusal(file, 'unsupported', `a rule collection of ${docs.length - 1} rules: split it into one file per rule`);
  const rule = docs[1];
  if (!isMapping(rule)) return refusal(file, 'invalid', 'the rule document after action: global is not a map');
  const { action: _action, ...common } = global;
  return { doc: deepMerge(common, rule) };
}

/** Whether a number's YAML text survives as a JavaScript number (decimal, no leading zeros, exact). */
function isFaithfulNumber(source: string, value: number): boolean {
  if (/^[-+]?0[0-9]/.test(source) || /^[-+]?0[xXoObB]/.test(source)) return false;
  if (/^[-+]?[0-9]+$/.test(source)) return Number.isSafeInteger(value);
  return true;
}

/** The legacy collection merge: maps merge key by key, anything else in the rule replaces the global value. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const key of Object.keys(over)) {
    const a = Object.hasOwn(out, key) ? out[key] : undefined;
    const b = over[key];
    const value = Object.hasOwn(out, key) && isMapping(a) && isMapping(b) ? deepMerge(a, b) : b;
    // defineProperty, not assignment: a `__proto__` key is data, never the prototype
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
