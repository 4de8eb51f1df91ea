import { compileFilterPattern } from '../../../../lib/rules/filter-pattern';

/**
 * One group per syntax form of the CloudWatch Logs user guide, "Using filter patterns to
 * match terms in JSON log events", with the guide's own example events and patterns, and a
 * counter-example beside each so a predicate that always says yes fails.
 */
const matches = (pattern: string, record: unknown): boolean => compileFilterPattern(pattern).test(record);

/** The guide's sample event (current edition), plus `ThisFlag` from the earlier edition. */
const SAMPLE = JSON.parse(`{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{ "name": "a", "id": 1 }, { "name": "b", "id": 2 }],
  "SomeObject": null,
  "cluster.name": "c",
  "ThisFlag": true
}`) as unknown;

/** The guide's sample event for compound conditions. */
const COMPOUND = JSON.parse(`{
  "user": { "id": 1, "email": "John.Stiles@example.com" },
  "users": [
    { "id": 2, "email": "John.Doe@example.com" },
    { "id": 3, "email": "Jane.Doe@example.com" }
  ],
  "actions": ["GET", "PUT", "DELETE"],
  "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
}`) as unknown;

describe('{ SELECTOR EQUALITY_OPERATOR STRING }', () => {
  it.each([
    ['{ $.eventType = "UpdateTrail" }', true],
    ['{ $.eventType = UpdateTrail }', true],
    ['{ $.eventType = "DeleteTrail" }', false],
    ['{ $.eventType != "UpdateTrail" }', false],
    ['{ $.eventType != DeleteTrail }', true],
    // "filter on the IP address being outside the subnet 123.123 prefix"
    ['{ $.sourceIPAddress != 123.123.* }', true],
    ['{ $.sourceIPAddress != 111.111.* }', false],
    ['{ $.sourceIPAddress = 111.111.* }', true],
  ])('%s → %s on the guide sample', (pattern, expected) => {
    // Act / Assess
    expect(matches(pattern, SAMPLE)).toBe(expected);
  });

  it.each([
    // "*Event will match PutEvent and GetEvent. Event* will match EventId and EventName."
    ['*Event', 'PutEvent', true],
    ['*Event', 'GetEvent', true],
    ['*Event', 'EventId', false],
    ['Event*', 'EventId', true],
    ['Event*', 'EventName', true],
    ['Event*', 'PutEvent', false],
    ['*dateTr*', 'UpdateTrail', true],
    ['*dateTr*', 'UpdateTail', false],
    ['*', 'anything at all', true],
    ['*', '', true],
  ])('wildcard %s on "%s" → %s', (value, text, expected) => {
    expect(matches(`{ $.name = ${value} }`, { name: text })).toBe(expected);
    expect(matches(`{ $.name = "${value}" }`, { name: text })).toBe(expected);
  });
});

describe('array elements: $.list[n]', () => {
  it.each([
    ['{ $.arrayKey[0] = "value" }', true],
    ['{ $.arrayKey[1] = "value" }', false],
    ['{ $.arrayKey[1] = "another value" }', true],
    ['{ $.arrayKey[2] = * }', false],
    ['{ $.objectList[1].id = 2 }', true],
    ['{ $.objectList[0].id = 2 }', false],
    ['{ $.objectList[1].name = b }', true],
    // "If arrayKey is not an array this will be false"
    ['{ $.eventType[0] = "UpdateTrail" }', false],
  ])('%s → %s', (pattern, expected) => {
    expect(matches(pattern, SAMPLE)).toBe(expected);
  });

  it('indexes nested arrays: $.coordinates[1][2]', () => {
    expect(matches('{ $.coordinates[1][2] = 6 }', COMPOUND)).toBe(true);
    expect(matches('{ $.coordinates[2][1] = 6 }', COMPOUND)).toBe(false);
  });
});

describe('{ SELECTOR NUMERIC_OPERATOR NUMBER }', () => {
  // the guide's examples, each on a value just inside and just outside
  it.each([
    ['{ $.v >= 500 }', 500, 499.9],
    ['{ $.v < 10e3 }', 9999, 10000],
    ['{ $.v < 10e-3 }', 0.005, 0.01],
    ['{ $.v <= 55.5 }', 55.5, 55.6],
    ['{ $.v = 400 }', 400, 401],
    ['{ $.v != 500 }', 400, 500],
    ['{ $.v > +1000 }', 1001, 1000],
    ['{ $.v > 75 }', 76, 75],
    ['{ $.v < 50 }', 49, 50],
    ['{ $.v = 1e+3 }', 1000, 1001],
    ['{ $.v != 1e-3 }', 1, 0.001],
    ['{ $.v > -5 }', -4, -5],
    ['{ $.v = -0.5 }', -0.5, 0.5],
    ['{ $.v >= 1.5E2 }', 150, 149],
  ])('%s matches %d, not %d', (pattern, inside, outside) => {
    expect(matches(pattern, { v: inside })).toBe(true);
    expect(matches(pattern, { v: outside })).toBe(false);
  });

  it('compares numbers by value, not by spelling', () => {
    expect(matches('{ $.v = 400.0 }', JSON.parse('{"v": 400}'))).toBe(true);
    expect(matches('{ $.v = 4e2 }', JSON.parse('{"v": 400.00}'))).toBe(true);
  });

  it('"use the asterisk as a wild card to match numbers": { $.latency = * }', () => {
    expect(matches('{ $.latency = * }', { latency: 50 })).toBe(true);
    expect(matches('{ $.latency = * }', { requestType: 'GET' })).toBe(false);
  });
});

describe('IS NULL, NOT EXISTS, IS TRUE, IS FALSE', () => {
  it.each([
    ['{ $.SomeObject IS NULL }', true],
    ['{ $.eventType IS NULL }', false],
    ['{ $.SomeOtherObject IS NULL }', false],
    ['{ $.SomeOtherObject NOT EXISTS }', true],
    ['{ $.SomeObject NOT EXISTS }', false],
    ['{ $.ThisFlag IS TRUE }', true],
    ['{ $.ThisFlag IS FALSE }', false],
    ['{ $.SomeObject IS FALSE }', false],
  ])('%s → %s', (pattern, expected) => {
    expect(matches(pattern, SAMPLE)).toBe(expected);
  });

  it('IS FALSE matches false', () => {
    expect(matches('{ $.ThisFlag IS FALSE }', { ThisFlag: false })).toBe(true);
  });
});

describe('%regex% values', () => {
  it.each([
    // "This filter pattern matches the string "Trail" in the property "eventType""
    ['{ $.eventType = %Trail% }', true],
    ['{ $.eventType = %^Update% }', true],
    ['{ $.eventType = %^Trail% }', false],
    ['{ $.eventType != %Trail% }', false],
    ['{ $.eventType != %Delete% }', true],
    ['{ $.eventType = %trail% }', false],
  ])('%s → %s', (pattern, expected) => {
    expect(matches(pattern, SAMPLE)).toBe(expected);
  });
});

describe('wildcard selectors: [*] and .*', () => {
  it.each([
    // "uses a wildcard to match values of any element in the array using regex"
    ['{ $.arrayKey[*] = %val.{2}% }', true],
    ['{ $.arrayKey[*] = "another value" }', true],
    ['{ $.arrayKey[*] = "third value" }', false],
    // "matches the element "111.111.111.111" in the property "sourceIPAddress""
    ['{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }', true],
    ['{ $.* = %222\\.222% }', false],
    ['{ $.objectList[*].id = 2 }', true],
    ['{ $.objectList[*].id = 3 }', false],
    ['{ $.objectList.*.name = b }', true],
  ])('%s → %s', (pattern, expected) => {
    expect(matches(pattern, SAMPLE)).toBe(expected);
  });
});

describe("bracket notation: $.['name.with.periods']", () => {
  it('selects a property whose name contains periods', () => {
    expect(matches(`{ $.['cluster.name'] = "c" }`, SAMPLE)).toBe(true);
    expect(matches(`{ $.['cluster.name'] = "d" }`, SAMPLE)).toBe(false);
  });

  it('is not the nested path $.cluster.name', () => {
    expect(matches('{ $.cluster.name NOT EXISTS }', SAMPLE)).toBe(true);
    expect(matches('{ $.cluster.name = c }', { cluster: { name: 'c' } })).toBe(true);
    expect(matches(`{ $.['cluster.name'] = c }`, { cluster: { name: 'c' } })).toBe(false);
  });
});

describe('compound conditions: &&, ||, parentheses', () => {
  it.each([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }', false],
    // the earlier edition's unquoted spelling of the same examples
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', false],
  ])('%s → %s (the guide\'s verdict)', (pattern, expected) => {
    expect(matches(pattern, COMPOUND)).toBe(expected);
  });

  it('OR: {$.foo = bar || $.foo = baz} matches both events', () => {
    expect(matches('{$.foo = bar}', { foo: 'bar' })).toBe(true);
    expect(matches('{$.foo = bar}', { foo: 'baz' })).toBe(false);
    expect(matches('{$.foo = bar || $.foo = baz }', { foo: 'bar' })).toBe(true);
    expect(matches('{$.foo = bar || $.foo = baz }', { foo: 'baz' })).toBe(true);
    expect(matches('{$.foo = bar || $.foo = baz }', { foo: 'qux' })).toBe(false);
  });

  it('"() > && > ||": && binds tighter than || on both sides', () => {
    // Prepare: t is true, f is false
    const record = { t: 1, f: 0 };

    // Act / Assess: read with || first, both would be false
    expect(matches('{ $.t = 1 || $.f = 1 && $.f = 1 }', record)).toBe(true);
    expect(matches('{ $.f = 1 && $.f = 1 || $.t = 1 }', record)).toBe(true);
    expect(matches('{ ($.t = 1 || $.f = 1) && $.f = 1 }', record)).toBe(false);
  });

  it('nests parentheses', () => {
    expect(matches('{ ((($.t = 1)) && (($.f = 0) || ($.f = 9))) }', { t: 1, f: 0 })).toBe(true);
    expect(matches('{ ((($.t = 1)) && (($.f = 8) || ($.f = 9))) }', { t: 1, f: 0 })).toBe(false);
  });
});

describe('whitespace', () => {
  it.each([
    '{$.eventType="UpdateTrail"}',
    '{ $.eventType = "UpdateTrail" }',
    '  {\n\t$.eventType\n=\r\n"UpdateTrail"\n}  ',
    '{(  $.eventType=UpdateTrail  )&&($.SomeObject   IS \n NULL)||($.x=1)}',
    '{$.SomeOtherObject\tNOT\nEXISTS&&$.eventType=UpdateTrail}',
  ])('is allowed anywhere between tokens: %j', (pattern) => {
    expect(matches(pattern, SAMPLE)).toBe(true);
    expect(matches(pattern, { eventType: 'DeleteTrail' })).toBe(false);
  });
});
