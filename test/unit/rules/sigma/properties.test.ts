import fc from 'fast-check';
import { compileSigmaRule, isSigmaRefusal, type SigmaCompiledRule } from '../../../../lib/rules/sigma';

// a fixed seed keeps runs deterministic; change it to explore other cases
fc.configureGlobal({ seed: 20260313 });

/**
 * Properties over generated Sigma documents and records: compiling never throws (a rule or a
 * refusal comes back), evaluating never throws, and the condition operators, `neq`, `all`
 * and the eventName hints keep their promises.
 */
const FIELDS = ['eventName', 'eventSource', 'userIdentity.type', 'a', 'a.b', 'a.b.c', '__proto__', 'constructor', '__proto__.x', 'toString', 'x-amz-acl', ''];
const MODIFIERS = ['contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'exists', 'cased', 'fieldref', 'neq', 'gt', 'lte', 'base64', 'windash', 'expand', 'bogus', ''];
const STRINGS = ['StopLogging', 'stoplogging', '*', '?', 'a*b', '\\*', '\\', '', 'Root', '10.0.0.0/8', '2001:db8::/32', '(a|b)+', '[a-', '(?=x)', 'true', 'a.b', '0'];

const scalar = fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 5 }), fc.boolean(), fc.constant(null), fc.double({ noNaN: false }));
const VALID_CHAINS = ['', 'contains', 'startswith', 'endswith', 'contains|all', 'cased', 're', 're|i', 'cidr', 'neq', 'contains|neq'];
const key = fc
  .tuple(
    fc.constantFrom(...FIELDS),
    fc.oneof({ arbitrary: fc.constantFrom(...VALID_CHAINS).map((c) => (c === '' ? [] : c.split('|'))), weight: 3 }, { arbitrary: fc.array(fc.constantFrom(...MODIFIERS), { maxLength: 3 }), weight: 1 }),
  )
  .map(([f, mods]) => [f, ...mods].join('|'));
const value = fc.oneof(
  { arbitrary: scalar, weight: 4 },
  { arbitrary: fc.array(scalar, { maxLength: 3 }), weight: 2 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 2 }), weight: 1 },
);
const selectionMap = fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 });
const selection = fc.oneof(
  { arbitrary: selectionMap, weight: 6 },
  { arbitrary: fc.array(selectionMap, { maxLength: 3 }), weight: 2 },
  { arbitrary: fc.array(scalar, { maxLength: 2 }), weight: 1 },
  { arbitrary: scalar, weight: 1 },
);
const IDS = ['selection', 'selection_a', 'filter_x', '_hidden', 'them'];
const CONDITION_TOKENS = [...IDS, 'and', 'or', 'not', '(', ')', '1 of', 'all of', 'any of', '2 of', 'selection*', 'filter_*', '|', 'count()', 'near', 'AND', ' '];
const condition = fc.oneof(
  { arbitrary: fc.array(fc.constantFrom(...CONDITION_TOKENS), { minLength: 1, maxLength: 8 }).map((t) => t.join(' ')), weight: 1 },
  { arbitrary: fc.constantFrom('selection', 'selection or not filter_x', '1 of selection*', 'all of them', '1 of them and not selection_a', 'not (selection or filter_x)'), weight: 3 },
);
const detection = fc
  .tuple(
    fc.record({ selection, selection_a: selection, filter_x: selection, _hidden: selection }, { requiredKeys: ['selection'] }),
    fc.oneof({ arbitrary: condition, weight: 6 }, { arbitrary: fc.array(condition, { maxLength: 2 }), weight: 1 }, { arbitrary: fc.anything(), weight: 1 }),
  )
  .map(([ids, c]) => ({ ...ids, condition: c }));
const logsource = fc.oneof(
  { arbitrary: fc.constant({ product: 'aws', service: 'cloudtrail' }), weight: 8 },
  { arbitrary: fc.record({ product: fc.constantFrom('aws', 'AWS', 'windows'), service: fc.constantFrom('cloudtrail', 'guardduty') }, { requiredKeys: [] }), weight: 1 },
  { arbitrary: fc.anything(), weight: 1 },
);
/** Mostly what a rule holds, sometimes anything at all. */
const mostly = <T>(usual: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 19 }, { arbitrary: fc.anything(), weight: 1 });
const strings = fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 });
const sigmaDoc = fc.record(
  {
    title: mostly(fc.constant('Rule')),
    id: mostly(fc.oneof(fc.uuid(), fc.string({ maxLength: 8 }))),
    status: fc.constantFrom('test', 'stable', 'experimental', 'deprecated', 'test', 'unsupported'),
    logsource: mostly(logsource),
    detection: mostly(detection),
    level: mostly(fc.constantFrom('informational', 'low', 'medium', 'high', 'critical', 'HIGH', 'Critical ', 'urgent')),
    falsepositives: mostly(strings),
    tags: mostly(strings),
    references: mostly(strings),
    fields: mostly(strings),
    author: mostly(fc.string({ maxLength: 8 })),
    description: mostly(fc.string({ maxLength: 20 })),
  },
  { requiredKeys: ['title', 'logsource', 'detection'] },
);

/** Detections that compile: every modifier with values it accepts, in maps and lists of maps. */
const anyString = fc.oneof(fc.constantFrom('StopLogging', '*', '?', 'a*b', '\\*', '', 'Root', 'true', '0', 'a.b'), fc.string({ maxLength: 6 }));
const validItem = fc.tuple(
  fc.constantFrom(...FIELDS.filter((f) => f !== '')),
  fc.oneof(
    fc.tuple(fc.constant(''), fc.oneof(anyString, fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null), fc.array(anyString, { maxLength: 3 }))),
    fc.tuple(fc.constantFrom('contains', 'startswith', 'endswith', 'cased', 'contains|cased', 'neq', 'contains|neq'), fc.oneof(anyString, fc.array(anyString, { minLength: 1, maxLength: 3 }))),
    fc.tuple(fc.constant('contains|all'), fc.array(anyString, { minLength: 2, maxLength: 3 })),
    fc.tuple(fc.constantFrom('re', 're|i', 're|m|s'), fc.constantFrom('^Stop', 'a|b', '(?:ab)+c?', '[^a-z]{2,}', '\\d+$', '.*', '(?i)root')),
    fc.tuple(fc.constant('cidr'), fc.constantFrom('10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '::/0', '198.51.100.7')),
    fc.tuple(fc.constant('exists'), fc.boolean()),
    fc.tuple(fc.constantFrom('fieldref', 'fieldref|contains', 'fieldref|endswith'), fc.constantFrom('eventName', 'a.b', '__proto__', 'userIdentity.type')),
    fc.tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte'), fc.integer({ min: -3, max: 3 })),
  ),
);
const validMap = fc.array(validItem, { minLength: 1, maxLength: 3 }).map((items) => {
  const map: Record<string, unknown> = {};
  for (const [field, [chain, v]] of items) map[chain === '' ? field : `${field}|${chain}`] = v;
  return map;
});
const validSearch = fc.oneof({ arbitrary: validMap, weight: 3 }, { arbitrary: fc.array(validMap, { minLength: 1, maxLength: 3 }), weight: 1 });
const validDetection = fc
  .tuple(
    fc.record({ selection: validSearch, selection_a: validSearch, filter_x: validSearch, _hidden: validSearch }, { requiredKeys: ['selection', 'filter_x'] }),
    fc.constantFrom('selection', 'selection and not filter_x', '1 of selection*', 'all of them', 'not (selection or filter_x)', 'selection or filter_x and not 1 of selection*'),
  )
  .map(([ids, c]) => ({ ...ids, condition: c }));

/** JSON records, parsed from text so `__proto__` and `constructor` become own data keys. */
const RECORD_KEYS = ['eventName', 'eventSource', 'userIdentity', 'a', '__proto__', 'constructor', 'x-amz-acl', 'sourceIPAddress', 'errorCode'];
const record = fc
  .array(fc.tuple(fc.constantFrom(...RECORD_KEYS), fc.jsonValue({ maxDepth: 4 })), { maxLength: 6 })
  .map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as unknown);
const anyRecord = fc.oneof(record, fc.jsonValue({ maxDepth: 3 }), fc.anything());

function isCompiled(result: ReturnType<typeof compileSigmaRule>): result is SigmaCompiledRule {
  return !isSigmaRefusal(result);
}

describe('compileSigmaRule over generated documents', () => {
  it('never throws: it returns a compiled rule or a refusal with a reason, whatever the document', () => {
    fc.assert(
      fc.property(fc.oneof(sigmaDoc, fc.anything()), (doc) => {
        const result = compileSigmaRule(doc, 'gen.yml');
        if (isCompiled(result)) {
          expect(typeof result.test).toBe('function');
          expect(result.id).toMatch(/^sigma-[a-z0-9]+(?:-[a-z0-9]+)*$/);
        } else {
          expect(result).toMatchObject({ file: 'gen.yml', format: 'sigma' });
          expect(['unsupported', 'invalid']).toContain(result.problem);
          expect(result.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('compiles predicates that never throw and return booleans on arbitrary JSON', () => {
    let compiledCount = 0;
    fc.assert(
      fc.property(fc.oneof({ arbitrary: validDetection, weight: 4 }, { arbitrary: detection, weight: 1 }), fc.array(anyRecord, { minLength: 1, maxLength: 5 }), (det, records) => {
        const result = compileSigmaRule({ title: 'Rule', logsource: { product: 'aws', service: 'cloudtrail' }, detection: det }, 'gen.yml');
        if (!isCompiled(result)) return;
        compiledCount++;
        for (const r of records) expect(typeof result.test(r)).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
    // the generator must reach compiled rules, or the property above proves nothing
    expect(compiledCount).toBeGreaterThan(1500);
  });
});

describe('operators keep their promises', () => {
  const base = { title: 'P', id: '3f1e2d3c-4b5a-4968-8776-655443322110', logsource: { product: 'aws', service: 'cloudtrail' } };
  const simpleKey = fc.tuple(fc.constantFrom('eventName', 'a', 'a.b', '__proto__'), fc.constantFrom('', '|contains', '|startswith', '|endswith', '|cased', '|re')).map(([f, m]) => f + m);
  const simpleValue = fc.oneof(fc.constantFrom('StopLogging', 'a', 'b', '*', 'a*', '', 'x?'), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constant(null));
  const simpleSelection = fc.dictionary(simpleKey, fc.oneof(simpleValue, fc.array(simpleValue, { minLength: 1, maxLength: 3 })), { minKeys: 1, maxKeys: 2 });
  const SCALARS = fc.oneof(fc.constantFrom('StopLogging', 'stoplogging', 'a', 'ab', 'b', '', 'x1'), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constant(null));
  const RECORD_VALUES = fc.oneof(SCALARS, fc.constant(['a', 'b']), fc.constant({ b: 'a' }));
  // eventName stays a scalar, as CloudTrail writes it: a rule with an eventName hint
  // requires eventName text (README, "The eventName index"), which an array or object lacks
  const smallRecord = fc
    .record({ eventName: SCALARS, a: fc.oneof(RECORD_VALUES, fc.record({ b: RECORD_VALUES })), __proto__: RECORD_VALUES }, { requiredKeys: [] })
    .map((r) => JSON.parse(JSON.stringify(r, (_k, v: unknown) => v)) as unknown);

  function compile(detection: Record<string, unknown>): SigmaCompiledRule | undefined {
    const result = compileSigmaRule({ ...base, detection }, 'p.yml');
    return isCompiled(result) ? result : undefined;
  }

  it('not, and, or are complement, conjunction and disjunction of the selections', () => {
    fc.assert(
      fc.property(simpleSelection, simpleSelection, fc.array(smallRecord, { minLength: 1, maxLength: 4 }), (s1, s2, records) => {
        const a = compile({ s1, condition: 's1' });
        const b = compile({ s2, condition: 's2' });
        const not = compile({ s1, condition: 'not s1' });
        const and = compile({ s1, s2, condition: 's1 and s2' });
        const or = compile({ s1, s2, condition: 's1 or s2' });
        const list = compile({ s1, s2, condition: ['s1', 's2'] });
        if (!a || !b || !not || !and || !or || !list) return;
        for (const r of records) {
          expect(not.test(r)).toBe(!a.test(r));
          expect(and.test(r)).toBe(a.test(r) && b.test(r));
          expect(or.test(r)).toBe(a.test(r) || b.test(r));
          expect(list.test(r)).toBe(or.test(r));
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('neq is the complement of the item; all is the AND of single-value items; contains is *value*', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('eventName', 'a', 'a.b'),
        fc.array(fc.constantFrom('StopLogging', 'a', 'b', '*', 'a*', ''), { minLength: 2, maxLength: 3 }),
        fc.array(smallRecord, { minLength: 1, maxLength: 4 }),
        (field, values, records) => {
          const plain = compile({ s: { [field]: values }, condition: 's' })!;
          const neq = compile({ s: { [`${field}|neq`]: values }, condition: 's' })!;
          const all = compile({ s: { [`${field}|contains|all`]: values }, condition: 's' })!;
          const each = values.map((v) => compile({ s: { [field]: `*${v}*` }, condition: 's' })!);
          for (const r of records) {
            expect(neq.test(r)).toBe(!plain.test(r));
            expect(all.test(r)).toBe(each.every((e) => e.test(r)));
          }
        },
      ),
      { numRuns: 800 },
    );
  });

  it('a rule with an eventName hint matches only records whose eventName text is in it', () => {
    fc.assert(
      fc.property(simpleSelection, fc.array(fc.constantFrom('StopLogging', 'a', 'b', 'A'), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.array(smallRecord, { minLength: 1, maxLength: 4 }), (s, names, cased, records) => {
        const rule = compile({ s, n: { [cased ? 'eventName|cased' : 'eventName']: names }, condition: 'n and s' });
        if (!rule) return;
        expect(rule.eventNamesIgnoreCase).toBeDefined();
        for (const r of records) {
          if (!rule.test(r)) continue;
          const name = (r as { eventName: unknown }).eventName;
          const text = typeof name === 'number' ? String(name) : (name as string);
          expect(rule.eventNamesIgnoreCase!.has(text.toLowerCase())).toBe(true);
          if (rule.eventNames !== undefined) expect(rule.eventNames.has(text)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
