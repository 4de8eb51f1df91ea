import { compileFilterPattern } from '../../../../lib/rules/filter-pattern';

/**
 * How a comparison treats what it finds (or does not find) in a record. Where the AWS guide
 * states the behaviour, the test quotes it; where it is silent, the test pins the choice
 * documented in lib/rules/filter-pattern/README.md.
 */
const matches = (pattern: string, record: unknown): boolean => compileFilterPattern(pattern).test(record);

/** One field `v` holding each kind of JSON node, or absent. */
const NODES: readonly (readonly [string, unknown])[] = [
  ['absent', {}],
  ['null', { v: null }],
  ['string "x"', { v: 'x' }],
  ['empty string', { v: '' }],
  ['number 0', { v: 0 }],
  ['true', { v: true }],
  ['false', { v: false }],
  ['object', { v: { x: 'x' } }],
  ['array', { v: ['x'] }],
];

describe('absent field, null field and the kind of node', () => {
  it.each([
    // pattern, then the expected result for each entry of NODES, in order
    ['{ $.v = "x" }', [false, false, true, false, false, false, false, false, false]],
    ['{ $.v != "x" }', [false, false, false, true, true, false, false, false, false]],
    ['{ $.v = * }', [false, false, true, true, true, false, false, false, false]],
    ['{ $.v = "*" }', [false, false, true, true, true, false, false, false, false]],
    ['{ $.v != * }', [false, false, false, false, false, false, false, false, false]],
    ['{ $.v = 0 }', [false, false, false, false, true, false, false, false, false]],
    ['{ $.v != 0 }', [false, false, false, false, false, false, false, false, false]],
    ['{ $.v IS NULL }', [false, true, false, false, false, false, false, false, false]],
    ['{ $.v NOT EXISTS }', [true, false, false, false, false, false, false, false, false]],
    ['{ $.v IS TRUE }', [false, false, false, false, false, true, false, false, false]],
    ['{ $.v IS FALSE }', [false, false, false, false, false, false, true, false, false]],
  ])('%s', (pattern, expected) => {
    // Prepare
    const compiled = compileFilterPattern(pattern);

    // Act
    const results = NODES.map(([, record]) => compiled.test(record));

    // Assess
    expect(results).toEqual(expected);
  });

  it('"!=" on an absent field does not match (as CloudWatch\'s own pattern test shows)', () => {
    // Prepare: the record of DataBiosphere/azul#5884, tested in the CloudWatch console
    const pattern = '{($.errorCode = "AccessDenied") && ($.userIdentity.invokedBy != "cloudfront.amazonaws.com")}';
    const record = { errorCode: 'AccessDenied', userIdentity: { accountId: 'anonymous' } };

    // Act / Assess
    expect(matches(pattern, record)).toBe(false);
    expect(matches('{ $.userIdentity.invokedBy != "x" || $.userIdentity.invokedBy NOT EXISTS }', record)).toBe(true);
  });

  it('"both {$.users = 1} and {$.users != 1} will fail to match … where users is an array"', () => {
    const record = { users: [1, 2, 3] };
    expect(matches('{$.users = 1}', record)).toBe(false);
    expect(matches('{$.users != 1}', record)).toBe(false);
    expect(matches('{$.users[0] = 1}', record)).toBe(true);
  });

  it('a path through null, a string or a number does not exist', () => {
    expect(matches('{ $.a.b NOT EXISTS }', { a: null })).toBe(true);
    expect(matches('{ $.a.b IS NULL }', { a: null })).toBe(false);
    expect(matches('{ $.a.length NOT EXISTS }', { a: 'abc' })).toBe(true);
    expect(matches('{ $.a.b NOT EXISTS }', { a: 5 })).toBe(true);
    expect(matches('{ $.a.b NOT EXISTS }', { a: { b: null } })).toBe(false);
  });

  it('a record that is not an object has no fields', () => {
    for (const record of [null, undefined, 'text', 42, true, [{ v: 'x' }]]) {
      expect(matches('{ $.v = * }', record)).toBe(false);
      expect(matches('{ $.v != "y" }', record)).toBe(false);
      expect(matches('{ $.v NOT EXISTS }', record)).toBe(true);
    }
  });
});

describe('strings against numbers', () => {
  it.each([
    ['{ $.code = 200 }', 200, true],
    ['{ $.code = 200 }', '200', true],
    ['{ $.code = 200 }', '200.0', true],
    ['{ $.code = 200 }', '2e2', false], // "Strings don't support scientific notation"
    ['{ $.code = 200 }', ' 200', false],
    ['{ $.code = 200 }', 'abc', false],
    ['{ $.code != 200 }', '201', true],
    ['{ $.code != 200 }', 'abc', false],
    ['{ $.code > 100 }', '200', true],
    ['{ $.code > 100 }', 'abc', false],
    ['{ $.code = "200" }', 200, true],
    ['{ $.code = "200" }', '200', true],
    ['{ $.code = "200" }', 200.5, false],
    ['{ $.code = 2* }', 204, true],
    ['{ $.code = 2* }', 404, false],
    ['{ $.code = %^4\\d\\d$% }', 404, true],
    ['{ $.code = %^4\\d\\d$% }', '404', true],
    ['{ $.code = %^4\\d\\d$% }', 4040, false],
  ])('%s on %j → %s', (pattern, value, expected) => {
    expect(matches(pattern, { code: value })).toBe(expected);
  });

  it('matches a 12-digit account id written as a number against CloudTrail\'s string', () => {
    expect(matches('{ $.recipientAccountId = 111122223333 }', { recipientAccountId: '111122223333' })).toBe(true);
    expect(matches('{ $.recipientAccountId = 111122223333 }', { recipientAccountId: '444455556666' })).toBe(false);
  });

  it('reaches booleans only through IS TRUE / IS FALSE, not through "= true"', () => {
    expect(matches('{ $.readOnly = true }', { readOnly: true })).toBe(false);
    expect(matches('{ $.readOnly = true }', { readOnly: 'true' })).toBe(true);
    expect(matches('{ $.readOnly IS TRUE }', { readOnly: 'true' })).toBe(false);
    expect(matches('{ $.readOnly = 1 }', { readOnly: true })).toBe(false);
  });
});

describe('case sensitivity', () => {
  it('compares values case-sensitively ("Filter patterns are case sensitive")', () => {
    expect(matches('{ $.eventName = ConsoleLogin }', { eventName: 'consolelogin' })).toBe(false);
    expect(matches('{ $.eventName = console* }', { eventName: 'ConsoleLogin' })).toBe(false);
    expect(matches('{ $.eventName != consolelogin }', { eventName: 'ConsoleLogin' })).toBe(true);
  });

  it('selects property names case-sensitively', () => {
    expect(matches('{ $.EventName = ConsoleLogin }', { eventName: 'ConsoleLogin' })).toBe(false);
    expect(matches('{ $.EventName NOT EXISTS }', { eventName: 'ConsoleLogin' })).toBe(true);
  });
});

describe('quoted and unquoted values', () => {
  it.each([
    ['"say \\"hi\\""', 'say "hi"', true],
    ['"back\\\\slash"', 'back\\slash', true],
    ['"\\\\"', '\\', true],
    ['"a b"', 'a b', true],
    ['"a && b || (c) }"', 'a && b || (c) }', true],
    ['"%Trail%"', 'UpdateTrail', false],
    ['"%Trail%"', '%Trail%', true],
    ['""', '', true],
    ['""', ' ', false],
    ['"@$!"', '@$!', true],
    ['"Grüße"', 'Grüße', true],
  ])('%s matches %j: %s', (value, text, expected) => {
    expect(matches(`{ $.v = ${value} }`, { v: text })).toBe(expected);
  });

  it.each([
    ['kms.amazonaws.com', 'kms.amazonaws.com'],
    ['us-east-1', 'us-east-1'],
    ['arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:root'],
    ['arn:aws:iam::111122223333:role/Admin', 'arn:aws:iam::111122223333:role/Admin'],
    ['Client.UnauthorizedOperation', 'Client.UnauthorizedOperation'],
    ['v1.2.3', 'v1.2.3'],
    ['-', '-'],
  ])('unquoted %s is the literal text', (value, text) => {
    expect(matches(`{ $.v = ${value} }`, { v: text })).toBe(true);
    expect(matches(`{ $.v = ${value} }`, { v: `${text}x` })).toBe(false);
    expect(matches(`{ $.v = ${value} }`, { v: text.replace(/[.:/-]/, '?') })).toBe(false);
  });
});

describe('own properties only', () => {
  it('reads "__proto__" and "constructor" keys as data', () => {
    // Prepare: JSON.parse makes "__proto__" an own property
    const record = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "c", "toString": 1}') as unknown;

    // Act / Assess
    expect(matches('{ $.__proto__.polluted = yes }', record)).toBe(true);
    expect(matches('{ $.constructor = c }', record)).toBe(true);
    expect(matches('{ $.toString = 1 }', record)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never reads through the prototype chain', () => {
    expect(matches('{ $.constructor NOT EXISTS }', {})).toBe(true);
    expect(matches('{ $.__proto__ NOT EXISTS }', {})).toBe(true);
    expect(matches('{ $.hasOwnProperty = * }', {})).toBe(false);
    expect(matches('{ $.eventName = x }', Object.create({ eventName: 'x' }))).toBe(false);
    expect(matches('{ $.list.length NOT EXISTS }', { list: [1, 2] })).toBe(true);
  });

  it('works on objects without a prototype', () => {
    const record = Object.assign(Object.create(null) as object, { eventName: 'x' });
    expect(matches('{ $.eventName = x }', record)).toBe(true);
  });

  it('reads an index only from arrays and a name only from objects', () => {
    expect(matches('{ $.obj[0] = x }', { obj: { 0: 'x' } })).toBe(false);
    expect(matches('{ $.obj.0 = x }', { obj: { 0: 'x' } })).toBe(true);
    expect(matches('{ $.list.0 = x }', { list: ['x'] })).toBe(false);
  });
});

describe('wildcard selector semantics', () => {
  it('matches when any selected element matches', () => {
    expect(matches('{ $.list[*] = b }', { list: ['a', 'b'] })).toBe(true);
    expect(matches('{ $.list[*] = c }', { list: ['a', 'b'] })).toBe(false);
    expect(matches('{ $.obj.* = b }', { obj: { x: 'a', y: 'b' } })).toBe(true);
    expect(matches('{ $.obj[*] = b }', { obj: { x: 'a', y: 'b' } })).toBe(true);
  });

  it('"!=" with a wildcard means some element differs', () => {
    expect(matches('{ $.list[*] != a }', { list: ['a', 'b'] })).toBe(true);
    expect(matches('{ $.list[*] != a }', { list: ['a', 'a'] })).toBe(false);
    expect(matches('{ $.list[*] != a }', { list: [] })).toBe(false);
  });

  it('NOT EXISTS with a wildcard means nothing is selected', () => {
    expect(matches('{ $.list[*] NOT EXISTS }', { list: [] })).toBe(true);
    expect(matches('{ $.list[*] NOT EXISTS }', {})).toBe(true);
    expect(matches('{ $.list[*] NOT EXISTS }', { list: [null] })).toBe(false);
    expect(matches('{ $.list[*].id NOT EXISTS }', { list: [{ name: 'a' }] })).toBe(true);
    expect(matches('{ $.list[*].id NOT EXISTS }', { list: [{ name: 'a' }, { id: 1 }] })).toBe(false);
  });

  it('IS NULL with a wildcard means some selected element is null', () => {
    expect(matches('{ $.list[*] IS NULL }', { list: ['a', null] })).toBe(true);
    expect(matches('{ $.list[*] IS NULL }', { list: ['a'] })).toBe(false);
  });

  it('selects nothing inside a string or number', () => {
    expect(matches('{ $.v[*] = * }', { v: 'abc' })).toBe(false);
    expect(matches('{ $.v.* = * }', { v: 7 })).toBe(false);
  });

  it('skips elements that are objects or arrays, as for a plain selector', () => {
    expect(matches('{ $.m[*] = 1 }', { m: [[1], { a: 1 }] })).toBe(false);
    expect(matches('{ $.m[*][0] = 1 }', { m: [[1], { a: 1 }] })).toBe(true);
  });
});

describe('CompiledPattern', () => {
  it('lists each field once, in order of first use, in one canonical form', () => {
    // Act
    const { fields } = compileFilterPattern(
      "{ $.a = 1 || $.a = 2 && $.b[0].c = x || $.['d.e'] IS NULL || $.f.* = 1 || $.['a'] NOT EXISTS || $.g[*] = 2 || $.* = 3 }",
    );

    // Assess
    expect(fields).toEqual(['a', 'b[0].c', "['d.e']", 'f[*]', 'g[*]', '*']);
  });

  it('keeps the source and cannot be changed', () => {
    const source = '{ $.eventName = ConsoleLogin }';
    const compiled = compileFilterPattern(source);
    expect(compiled.source).toBe(source);
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.isFrozen(compiled.fields)).toBe(true);
  });
});
