import { parseCondition, selectIdentifiers } from '../../../../lib/rules/sigma/condition';
import { SigmaProblem } from '../../../../lib/rules/sigma/problem';

function problemOf(condition: string): SigmaProblem {
  try {
    parseCondition(condition);
  } catch (err) {
    if (err instanceof SigmaProblem) return err;
    throw err;
  }
  throw new Error(`${condition} parsed`);
}

describe('Sigma conditions', () => {
  it('binds not tighter than and, and tighter than or', () => {
    // Act
    const tree = parseCondition('a or not b and c');

    // Assess
    expect(tree).toEqual({
      k: 'or',
      operands: [{ k: 'id', name: 'a' }, { k: 'and', operands: [{ k: 'not', operand: { k: 'id', name: 'b' } }, { k: 'id', name: 'c' }] }],
    });
  });

  it('lets parentheses override precedence and reads selectors as operands', () => {
    // Act
    const tree = parseCondition('(a or b) and not 1 of filter_* and all of them');

    // Assess
    expect(tree).toEqual({
      k: 'and',
      operands: [
        { k: 'or', operands: [{ k: 'id', name: 'a' }, { k: 'id', name: 'b' }] },
        { k: 'not', operand: { k: 'of', quantifier: 'one', pattern: 'filter_*' } },
        { k: 'of', quantifier: 'all', pattern: 'them' },
      ],
    });
    expect(parseCondition('any of sel*')).toEqual({ k: 'of', quantifier: 'one', pattern: 'sel*' });
    expect(parseCondition('not not a')).toEqual({ k: 'not', operand: { k: 'not', operand: { k: 'id', name: 'a' } } });
  });

  it.each([
    ['selection | count() by sourceIPAddress > 10', 'aggregation'],
    ['selection | near other', 'aggregation'],
    ['selection and near other', "'near'"],
    ['2 of selection*', "'2 of'"],
  ])('refuses %j, naming %s', (condition, feature) => {
    // Act
    const problem = problemOf(condition);

    // Assess
    expect(problem.kind).toBe('unsupported');
    expect(problem.message).toContain(feature);
  });

  it.each([['a and'], ['(a or b'], ['a b'], ['and a'], ['selection AND filter'], ['1 of'], ['sel*'], ['a $ b'], [''], ['()']])('rejects the malformed %j', (condition) => {
    // Act
    const problem = problemOf(condition);

    // Assess
    expect(problem.kind).toBe('invalid');
  });

  it('selects whole identifiers by pattern, and leaves _-prefixed ones out of them', () => {
    // Prepare
    const ids = ['selection', 'selection_a', 'selection_b', 'filter_main', '_helper', 'xselection'];

    // Act / Assess
    expect(selectIdentifiers('selection_*', ids)).toEqual(['selection_a', 'selection_b']);
    expect(selectIdentifiers('selection*', ids)).toEqual(['selection', 'selection_a', 'selection_b']);
    expect(selectIdentifiers('*_main', ids)).toEqual(['filter_main']);
    expect(selectIdentifiers('sel', ids)).toEqual([]); // whole identifiers, not prefixes
    expect(selectIdentifiers('them', ids)).toEqual(['selection', 'selection_a', 'selection_b', 'filter_main', 'xselection']);
    expect(selectIdentifiers('_h*', ids)).toEqual(['_helper']);
  });

  it('refuses a condition nested past the depth limit instead of overflowing the stack', () => {
    // Prepare
    const deep = `${'('.repeat(500)}a${')'.repeat(500)}`;

    // Act
    const problem = problemOf(deep);

    // Assess
    expect(problem.kind).toBe('unsupported');
  });
});
