import fc from 'fast-check';
import { eventNameText, requiredEventNames } from '../../../lib/rules/event-names';
import { compileFilterPattern, parseFilterPattern } from '../../../lib/rules/filter-pattern';

const names = (pattern: string) => {
  const set = requiredEventNames(parseFilterPattern(pattern));
  return set === undefined ? undefined : [...set].sort();
};

describe('requiredEventNames', () => {
  it.each<[string, string[] | undefined]>([
    ['{ $.eventName = ConsoleLogin }', ['ConsoleLogin']],
    ['{ $.eventName = "ConsoleLogin" }', ['ConsoleLogin']],
    ["{ $.['eventName'] = ConsoleLogin }", ['ConsoleLogin']],
    ['{ ($.eventName = A) || ($.eventName = B) || ($.eventName = C) }', ['A', 'B', 'C']],
    ['{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }', ['DisableKey', 'ScheduleKeyDeletion']],
    ['{ ($.eventName = A || $.eventName = B) && ($.eventName = B || $.eventName = C) }', ['B']],
    ['{ ($.eventName = A) && ($.eventName = B) }', []],
    ['{ ($.eventName = A) || ($.errorCode = AccessDenied) }', undefined],
    ['{ $.eventName != ConsoleLogin }', undefined],
    ['{ $.eventName = Console* }', undefined],
    ['{ $.eventName = *Login }', undefined],
    ['{ $.eventName = %Login% }', undefined],
    ['{ $.eventName = 1 }', undefined],
    ['{ $.eventName NOT EXISTS }', undefined],
    ['{ $.detail.eventName = ConsoleLogin }', undefined],
    ['{ $.eventName[0] = ConsoleLogin }', undefined],
    ['{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}', undefined],
  ])('%s → %j', (pattern, expected) => {
    // Prepare, Act
    const result = names(pattern);

    // Assess
    expect(result).toEqual(expected);
  });

  it('is sound: whenever a pattern matches, the record’s eventName is in the set', () => {
    // Prepare: patterns over eventName and one other field, records with odd eventNames
    const eventNameValue = fc.constantFrom('A', 'B', 'C', 'A*', '1', '');
    const leaf = fc.oneof(
      eventNameValue.map((v) => `($.eventName = "${v}")`),
      fc.constantFrom('($.eventName = A*)', '($.eventName != A)', '($.eventName = 1)', '($.eventName NOT EXISTS)', '($.eventName IS NULL)'),
      fc.constantFrom('($.errorCode = X)', '($.errorCode != X)', '($.errorCode NOT EXISTS)'),
    );
    const { expr } = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.tuple(tie('expr'), fc.constantFrom('&&', '||'), tie('expr')).map(([a, op, b]) => `(${a} ${op} ${b})`)),
    }));
    const record = fc.record(
      {
        eventName: fc.constantFrom<unknown>('A', 'B', 'C', 'D', 'A*', 'AB', '', 1, 1.0, null, true, ['A'], { A: 1 }),
        errorCode: fc.constantFrom<unknown>('X', 'Y', null, 7),
      },
      { requiredKeys: [] },
    );

    fc.assert(
      fc.property(expr, fc.array(record, { maxLength: 20 }), (body, records) => {
        // Act
        const pattern = `{ ${body} }`;
        const set = requiredEventNames(parseFilterPattern(pattern));
        const test = compileFilterPattern(pattern).test;

        // Assess
        for (const r of records) {
          if (set !== undefined && test(r)) {
            const text = eventNameText(r.eventName);
            if (text === undefined || !set.has(text)) return false;
          }
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });
});
