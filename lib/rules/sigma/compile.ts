import path from 'node:path';
import type { Severity } from '../../findings';
import { allRequirements, anyRequirements, eventNameText, type Requirements, textTestOf, toRequiredValues } from '../event-names';
import type { CompiledRule } from '../rule';
import { RULE_ID } from '../schema';
import { type ConditionNode, parseCondition, selectIdentifiers } from './condition';
import { combine, compileSearchIdentifier, type DetectionNode, detectionPredicate, isMapping, type Predicate } from './detection';
import { refusal, SigmaProblem, type SigmaRefusedRule } from './problem';
import { parseSigmaYaml } from './yaml';
import { fromEventSource, serviceEventSources } from './services';

/** A Sigma rule on trailwatch's engine: a CompiledRule plus what the Sigma document said. */
export interface SigmaCompiledRule extends CompiledRule {
  readonly source: 'sigma';
  /** The Sigma `id` as written (a UUID in SigmaHQ rules), if any. */
  readonly sigmaId?: string;
  /** The Sigma `author`: the Detection Rule License asks that matches name it. */
  readonly author?: string;
  /**
   * Like `eventNames`, for case-insensitive values: `test` can be true only for records whose
   * eventName text, lower-cased, is in this set. Sigma compares strings case-insensitively,
   * so `eventNames` (an exact-text index) can be given only for `|cased` values; an engine
   * that looks records up by lower-cased eventName can use this one for every rule.
   */
  readonly eventNamesIgnoreCase?: ReadonlySet<string>;
}

export const SIGMA_FORMAT = 'sigma';

/** Sigma `level` → trailwatch severity; a rule without a level is MEDIUM. */
const SEVERITY: Readonly<Record<string, Severity>> = {
  informational: 'INFO',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};
const DEFAULT_SEVERITY: Severity = 'MEDIUM';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One parsed Sigma document → a CompiledRule, or a refusal naming the unsupported feature or
 * the defect. Never throws, whatever `doc` is; the compiled `test` never throws either.
 */
export function compileSigmaRule(doc: unknown, file: string): SigmaCompiledRule | SigmaRefusedRule {
  try {
    return compile(doc, file);
  } catch (err) {
    if (err instanceof SigmaProblem) return refusal(file, err.kind, err.message);
    // e.g. a getter that throws in a hand-built object, or a structure too deep for the stack
    return refusal(file, 'invalid', `cannot be read as a Sigma rule (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** `parseSigmaYaml` then `compileSigmaRule`: a rule file's text → a rule or a refusal. */
export function compileSigmaText(text: string, file: string): SigmaCompiledRule | SigmaRefusedRule {
  const parsed = parseSigmaYaml(text, file);
  return 'reason' in parsed ? parsed : compileSigmaRule(parsed.doc, file);
}

export function isSigmaRefusal(result: SigmaCompiledRule | SigmaRefusedRule): result is SigmaRefusedRule {
  return 'reason' in result && !('test' in result);
}

function unsupported(what: string): never {
  throw new SigmaProblem('unsupported', what);
}

function invalid(what: string): never {
  throw new SigmaProblem('invalid', what);
}

function optionalString(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') invalid(`${key} must be a string`);
  return v.trim() === '' ? undefined : v.trim();
}

function stringList(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map((x) => String(x).trim()).filter((x) => x !== '');
}

function compile(doc: unknown, file: string): SigmaCompiledRule {
  if (!isMapping(doc)) invalid('the document is not a YAML map');
  if (Object.hasOwn(doc, 'correlation')) unsupported('a Sigma correlation rule: correlations (event counts, temporal proximity) are not supported');
  if (Object.hasOwn(doc, 'action')) unsupported(`a rule collection document (action: ${JSON.stringify(doc.action)}); parse the file with parseSigmaYaml`);
  if (Object.hasOwn(doc, 'filter') && !Object.hasOwn(doc, 'detection')) unsupported('a Sigma filter (meta filter applied to other rules)');

  const title = optionalString(doc, 'title');
  if (title === undefined) invalid('title is missing');
  const eventSources = checkLogSource(doc.logsource);
  const status = optionalString(doc, 'status');
  if (status === 'unsupported') unsupported('status: unsupported (the rule says it cannot be used as it is)');
  const severity = severityOf(doc.level);

  const detection = doc.detection;
  if (!isMapping(detection)) invalid('detection is missing or not a map');
  if (Object.hasOwn(detection, 'timeframe')) unsupported('detection.timeframe (an aggregation window)');
  const conditions = conditionList(detection.condition);
  const names = Object.keys(detection).filter((k) => k !== 'condition');
  if (names.length === 0) invalid('detection has no search identifier');
  const searches = new Map<string, DetectionNode>();
  for (const name of names) searches.set(name, compileSearchIdentifier(name, detection[name]));

  const expressions = conditions.map((c) => resolve(parseCondition(c), c, searches));
  const expression: Expr = expressions.length === 1 ? expressions[0]! : { k: 'or', operands: expressions };
  const inner = predicateOf(expression);

  const sigmaId = typeof doc.id === 'number' ? String(doc.id) : optionalString(doc, 'id');
  const id = ruleId(sigmaId, file);
  const author = stringList(doc, 'author').join(', ') || undefined;
  const exact = requiredEventNames(expression, true);
  const folded = requiredEventNames(expression, false);
  const indexed = exact !== undefined || folded !== undefined;
  // The index hints are proved for scalar eventNames; a record whose eventName is an array
  // or object (never seen from CloudTrail) must not match when the engine would skip it.
  const unscoped: Predicate = indexed ? (record) => hasEventNameText(record) && inner(record) : inner;
  // `service: iam` (TrailAlerts): only that service's records; `service: cloudtrail`: all
  const test: Predicate = eventSources === undefined ? unscoped : (record) => fromEventSource(record, eventSources) && unscoped(record);
  const guarded = guard(test);
  // for the records the eventName index hands over (`CompiledRule.testNamed`): the engine files
  // the rule by its exact hint when it has one, else by the lower-cased one
  const byName = exact ?? folded;
  const rest = byName === undefined ? undefined : withoutProvenEventName(expression, byName, exact !== undefined);
  // hasEventNameText holds for those records (a string eventName): only the log source stays
  const named = rest === undefined ? undefined : eventSources === undefined ? rest : (record: unknown) => fromEventSource(record, eventSources) && rest(record);
  const fields = stringList(doc, 'fields');
  // every field the detection needs, and the log source's event sources: the engine's index
  const required = allRequirements([
    requirementsOf(expression),
    eventSources === undefined ? new Map() : new Map([['eventSource', { values: eventSources, ignoreCase: false }]]),
  ]);
  const requiredValues = toRequiredValues(required);

  const rule: SigmaCompiledRule = {
    id,
    title,
    severity,
    source: 'sigma',
    description: describe(doc, title, sigmaId, author),
    ...(fields.length > 0 ? { runbook: `Look at these fields of the record first: ${fields.join(', ')}.` } : {}),
    references: Object.freeze([...stringList(doc, 'references'), ...stringList(doc, 'tags')]),
    file,
    expression: renderExpression(conditions, names, detection),
    test: guarded,
    ...(named === undefined ? {} : { testNamed: Object.freeze({ of: guarded, test: guard(named) }) }),
    ...(exact === undefined ? {} : { eventNames: exact }),
    ...(folded === undefined ? {} : { eventNamesIgnoreCase: folded }),
    ...(requiredValues === undefined ? {} : { requiredValues }),
    ...(sigmaId === undefined ? {} : { sigmaId }),
    ...(author === undefined ? {} : { author }),
  };
  return Object.freeze(rule);
}

/** The event sources a `service: <name>` log source restricts the rule to; undefined for `service: cloudtrail` (every record). */
function checkLogSource(logsource: unknown): ReadonlySet<string> | undefined {
  if (!isMapping(logsource)) invalid('logsource is missing or not a map');
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v === undefined || v === null ? undefined : String(v));
  const product = text(logsource.product);
  const service = text(logsource.service);
  const category = text(logsource.category);
  const given = (): string => [`product: ${product ?? '(none)'}`, `service: ${service ?? '(none)'}`, ...(category === undefined ? [] : [`category: ${category}`])].join(', ');
  if (product !== 'aws' || service === undefined || category !== undefined) {
    unsupported(`log source ${given()}: only product: aws with service: cloudtrail or an AWS service name (without a category) is evaluated`);
  }
  if (service === 'cloudtrail') return undefined;
  const sources = serviceEventSources(service);
  if (sources === undefined) unsupported(`log source ${given()}: service ${service} is not in the service → event source table (lib/rules/sigma/services.ts); use service: cloudtrail with an eventSource selection`);
  return sources;
}

function severityOf(level: unknown): Severity {
  if (level === undefined || level === null) return DEFAULT_SEVERITY;
  const severity = typeof level === 'string' && Object.hasOwn(SEVERITY, level.trim().toLowerCase()) ? SEVERITY[level.trim().toLowerCase()] : undefined;
  if (severity === undefined) invalid(`level ${JSON.stringify(level)} is not one of informational, low, medium, high, critical`);
  return severity;
}

function conditionList(condition: unknown): string[] {
  const list = Array.isArray(condition) ? condition : [condition];
  if (condition === undefined || condition === null || list.length === 0) invalid('detection.condition is missing');
  for (const c of list) if (typeof c !== 'string' || c.trim() === '') invalid('detection.condition must be a string or a list of strings');
  return list as string[];
}

/**
 * trailwatch ids are kebab-case and share one namespace: `sigma-` and the Sigma UUID, which
 * stays stable when SigmaHQ renames a file and cannot collide across rule directories; a rule
 * without an id falls back to its file name.
 */
function ruleId(sigmaId: string | undefined, file: string): string {
  const base = sigmaId !== undefined && UUID.test(sigmaId) ? sigmaId.toLowerCase() : kebab(sigmaId ?? '') || kebab(path.basename(file).replace(/\.ya?ml$/i, ''));
  const id = `sigma-${base}`;
  if (!RULE_ID.test(id)) invalid(`no usable id: give the rule an id (a UUID)`);
  return id;
}

function kebab(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The description an on-call person reads, with the false positives and the author (DRL 1.1 attribution). */
function describe(doc: Record<string, unknown>, title: string, sigmaId: string | undefined, author: string | undefined): string {
  const parts = [optionalString(doc, 'description') ?? title];
  const falsePositives = stringList(doc, 'falsepositives');
  if (falsePositives.length > 0) parts.push(`Known false positives: ${falsePositives.join('; ')}.`);
  const license = optionalString(doc, 'license');
  const origin = [`Sigma rule${sigmaId === undefined ? '' : ` ${sigmaId}`}`, author === undefined ? '' : ` by ${author}`, license === undefined ? '' : ` (license: ${license})`];
  parts.push(`${origin.join('')}.`);
  return parts.join('\n\n');
}

// ---- the condition over the search identifiers ------------------------------------------

type Expr =
  | { readonly k: 'search'; readonly name: string; readonly node: DetectionNode }
  | { readonly k: 'and' | 'or'; readonly operands: readonly Expr[] }
  | { readonly k: 'not'; readonly operand: Expr };

function resolve(node: ConditionNode, source: string, searches: ReadonlyMap<string, DetectionNode>): Expr {
  switch (node.k) {
    case 'id': {
      const found = searches.get(node.name);
      if (found === undefined) invalid(`condition ${JSON.stringify(source)} names ${node.name}, which detection does not define`);
      return { k: 'search', name: node.name, node: found };
    }
    case 'of': {
      const names = selectIdentifiers(node.pattern, [...searches.keys()]);
      if (names.length === 0) invalid(`condition ${JSON.stringify(source)}: '${node.pattern}' matches no search identifier`);
      const operands = names.map((name): Expr => ({ k: 'search', name, node: searches.get(name)! }));
      return operands.length === 1 ? operands[0]! : { k: node.quantifier === 'all' ? 'and' : 'or', operands };
    }
    case 'not':
      return { k: 'not', operand: resolve(node.operand, source, searches) };
    default:
      return { k: node.k, operands: node.operands.map((o) => resolve(o, source, searches)) };
  }
}

function predicateOf(expr: Expr): Predicate {
  switch (expr.k) {
    case 'search':
      return detectionPredicate(expr.node);
    case 'not': {
      const operand = predicateOf(expr.operand);
      return (record) => !operand(record);
    }
    default:
      return combine(expr.k, expr.operands.map(predicateOf));
  }
}

/**
 * The eventNames that the expression guarantees (see ../event-names.ts for the reasoning):
 * an `eventName` item equal to listed texts gives them; AND intersects what its operands
 * give; OR unions, only when every operand gives a set; NOT gives nothing. `exact` asks
 * for the exact-text set (only `|cased` items), otherwise lower-cased texts.
 */
function requiredEventNames(expr: Expr | DetectionNode, exact: boolean): ReadonlySet<string> | undefined {
  switch (expr.k) {
    case 'item': {
      const eq = expr.field === 'eventName' ? expr.equalsAnyOf : undefined;
      if (eq === undefined || (exact && !eq.cased)) return undefined;
      return new Set(exact ? eq.values : eq.values.map((v) => v.toLowerCase()));
    }
    case 'search':
      return requiredEventNames(expr.node, exact);
    case 'not':
      return undefined;
    case 'and': {
      let names: Set<string> | undefined;
      for (const operand of expr.operands) {
        const own = requiredEventNames(operand, exact);
        if (own === undefined) continue;
        names = names === undefined ? new Set(own) : new Set([...names].filter((n) => own.has(n)));
      }
      return names;
    }
    case 'or': {
      const names = new Set<string>();
      for (const operand of expr.operands) {
        const own = requiredEventNames(operand, exact);
        if (own === undefined) return undefined;
        for (const n of own) names.add(n);
      }
      return names;
    }
  }
}

/**
 * The expression's predicate for records whose eventName is a string in `names` (exact, or
 * lower-cased when not `exact`): what the engine's eventName index proves of the records it
 * hands the rule. The condition's top-level conjunction (ANDed conditions, `all of`, the items
 * of a selection, flattened) without one `eventName` item that accepts every one of `names`
 * with the same case-sensitivity, which such records all pass. A `not` or an `or` is kept
 * whole, never looked into (`selection and not filter` drops only from `selection`). Undefined
 * when no item is provably passed: the full test stays.
 */
function withoutProvenEventName(expr: Expr, names: ReadonlySet<string>, exact: boolean): Predicate | undefined {
  const conjuncts: Predicate[] = [];
  let proven = false;
  const covers = (item: Extract<DetectionNode, { k: 'item' }>): boolean => {
    const eq = item.field === 'eventName' ? item.equalsAnyOf : undefined;
    if (eq === undefined || eq.cased !== exact) return false;
    const accepted = new Set(exact ? eq.values : eq.values.map((v) => v.toLowerCase()));
    return [...names].every((n) => accepted.has(n));
  };
  const node = (n: DetectionNode): void => {
    if (n.k === 'and') n.operands.forEach(node);
    else if (n.k === 'item' && !proven && covers(n)) proven = true;
    else conjuncts.push(detectionPredicate(n));
  };
  const visit = (e: Expr): void => {
    if (e.k === 'and') e.operands.forEach(visit);
    else if (e.k === 'search') node(e.node);
    else conjuncts.push(predicateOf(e));
  };
  visit(expr);
  if (!proven) return undefined;
  return conjuncts.length === 0 ? () => true : combine('and', conjuncts);
}

/**
 * What the expression needs of each field (see ../event-names.ts, `Requirements`): an item
 * equal to listed texts gives them (exact when `|cased`, else lower-cased), any other item
 * that needs a value gives "present"; AND and OR combine them; NOT gives nothing.
 */
function requirementsOf(expr: Expr | DetectionNode): Requirements {
  switch (expr.k) {
    case 'item': {
      const eq = expr.equalsAnyOf;
      if (eq !== undefined) return new Map([[expr.field, { values: new Set(eq.cased ? eq.values : eq.values.map((v) => v.toLowerCase())), ignoreCase: !eq.cased }]]);
      if (!expr.needsValue) return new Map();
      // the item's own test on the text alone, remembered per text by the engine; a fieldref reads another field, so only "present"
      if (!expr.ownValuesOnly) return new Map([[expr.field, { ignoreCase: false }]]);
      const literal = expr.literal === undefined ? {} : { literal: expr.literal };
      return new Map([[expr.field, { ignoreCase: false, matches: textTestOf(expr.field, expr.test), ...literal }]]);
    }
    case 'search':
      return requirementsOf(expr.node);
    case 'not':
      return new Map();
    case 'and':
      return allRequirements(expr.operands.map(requirementsOf));
    case 'or':
      return anyRequirements(expr.operands.map(requirementsOf));
  }
}

function hasEventNameText(record: unknown): boolean {
  if (typeof record !== 'object' || record === null || !Object.hasOwn(record, 'eventName')) return false;
  return eventNameText((record as Record<string, unknown>).eventName) !== undefined;
}

/**
 * The compiled predicate never throws by construction (own-property reads, no recursion on
 * record depth); this guard keeps the engine's contract even for inputs no parser produces
 * (a Proxy, a throwing getter), answering "no match".
 */
function guard(test: Predicate): Predicate {
  return (record) => {
    try {
      return test(record);
    } catch {
      return false;
    }
  };
}

/** The rule as evaluated, for messages: its conditions and search identifiers as JSON. */
function renderExpression(conditions: readonly string[], names: readonly string[], detection: Record<string, unknown>): string {
  const lines = [`condition: ${conditions.length === 1 ? conditions[0]! : JSON.stringify(conditions)}`];
  for (const name of names) {
    let json: string;
    try {
      json = JSON.stringify(detection[name]) ?? 'null';
    } catch {
      json = '(not representable)';
    }
    lines.push(`${name}: ${json}`);
  }
  return lines.join('\n');
}
