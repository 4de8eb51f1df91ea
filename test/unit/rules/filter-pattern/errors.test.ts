import { TrailwatchError } from '../../../../lib/errors';
import {
  compileFilterPattern,
  FilterPatternError,
  type FilterPatternErrorReason,
} from '../../../../lib/rules/filter-pattern';

/**
 * Everything outside CloudWatch's JSON filter-pattern syntax — or inside it but not
 * evaluable exactly as CloudWatch does — is refused at compile time with a reason and the
 * position of the problem. Each case gives the pattern, the reason, and the text from the
 * error position to the end, so the position is checked exactly and stays readable.
 */
function compileError(source: string): FilterPatternError {
  try {
    compileFilterPattern(source);
  } catch (error) {
    if (error instanceof FilterPatternError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

const wildcards4 = '{ $.a[*] = 1 && $.b[*] = 2 && $.* = 3 && $.d[*] = 4 }';
const regex3 = '{ $.a = %a% && $.b = %b% && $.c = %c% }';

const CASES: readonly (readonly [string, FilterPatternErrorReason, string])[] = [
  // pattern types CloudWatch has but trailwatch does not evaluate
  ['ERROR', 'UnsupportedPatternType', 'ERROR'],
  ['"ERROR 401"', 'UnsupportedPatternType', '"ERROR 401"'],
  ['  ?ERROR ?WARN', 'UnsupportedPatternType', '?ERROR ?WARN'],
  ['[ip, user, username, timestamp, request, status_code = 4*, bytes]', 'UnsupportedPatternType', '[ip, user, username, timestamp, request, status_code = 4*, bytes]'],
  ['%AUTHORIZED%', 'UnsupportedPatternType', '%AUTHORIZED%'],
  // shape
  ['{}', 'EmptyPattern', '}'],
  ['{ }', 'EmptyPattern', '}'],
  ['{ $.a = 1', 'UnexpectedEnd', ''],
  ['{ $.a = 1 } x', 'TrailingInput', 'x'],
  ['{ $.a = 1 }}', 'TrailingInput', '}'],
  ['{ $.a = 1 } { $.b = 2 }', 'TrailingInput', '{ $.b = 2 }'],
  ['{ { $.a = 1 } }', 'UnexpectedCharacter', '{ $.a = 1 } }'],
  ['{ ($.a = 1 }', 'UnexpectedCharacter', '}'],
  ['{ ($.a = 1', 'UnexpectedEnd', ''],
  ['{ $.a = 1) }', 'UnexpectedCharacter', ') }'],
  ['{ () }', 'UnexpectedCharacter', ') }'],
  ['{ $.a = 1 || }', 'UnexpectedCharacter', '}'],
  ['{ && $.a = 1 }', 'UnexpectedCharacter', '&& $.a = 1 }'],
  ['{ $.a = 1 & $.b = 2 }', 'UnexpectedCharacter', '& $.b = 2 }'],
  ['{ $.a = 1 | $.b = 2 }', 'UnexpectedCharacter', '| $.b = 2 }'],
  ['{ $.a = 1 AND $.b = 2 }', 'UnsupportedKeyword', 'AND $.b = 2 }'],
  ['{ $.a = 1 or $.b = 2 }', 'UnsupportedKeyword', 'or $.b = 2 }'],
  ['{ !($.a = 1) }', 'InvalidOperator', '!($.a = 1) }'],
  // selectors
  ['{ a = 1 }', 'UnexpectedCharacter', 'a = 1 }'],
  ['{ $a = 1 }', 'InvalidSelector', '$a = 1 }'],
  ['{ $ = 1 }', 'InvalidSelector', '$ = 1 }'],
  ['{ $. = 1 }', 'InvalidSelector', ' = 1 }'],
  ['{ $.a. = 1 }', 'InvalidSelector', ' = 1 }'],
  ['{ $.a..b = 1 }', 'InvalidSelector', '.b = 1 }'],
  ['{ $.[0] = 1 }', 'InvalidSelector', '[0] = 1 }'],
  ['{ $.a[x] = 1 }', 'InvalidSelector', '[x] = 1 }'],
  ['{ $.a[-1] = 1 }', 'InvalidSelector', '[-1] = 1 }'],
  ['{ $.a[0 = 1 }', 'InvalidSelector', '[0 = 1 }'],
  ['{ $.a[99999999999999999999] = 1 }', 'InvalidSelector', '[99999999999999999999] = 1 }'],
  ["{ $.['a = 1 }", 'InvalidSelector', "['a = 1 }"],
  ["{ $.['a'x = 1 }", 'InvalidSelector', 'x = 1 }'],
  ['{ $.a@b = 1 }', 'InvalidSelector', '@b = 1 }'],
  ['{ $.a[*].b[*] = 1 }', 'QuotaExceeded', '*] = 1 }'],
  ['{ $.*.* = 1 }', 'QuotaExceeded', '* = 1 }'],
  [wildcards4, 'QuotaExceeded', '$.d[*] = 4 }'],
  // operators
  ['{ $.a == 1 }', 'InvalidOperator', '== 1 }'],
  ['{ $.a <> 1 }', 'InvalidOperator', '<> 1 }'],
  ['{ $.a =< 1 }', 'InvalidOperator', '=< 1 }'],
  ['{ $.a ! 1 }', 'InvalidOperator', '! 1 }'],
  ['{ $.a }', 'InvalidOperator', '}'],
  ['{ $.a}', 'InvalidOperator', '}'],
  ['{ $.a LIKE 1 }', 'InvalidOperator', 'LIKE 1 }'],
  ['{ $.a', 'UnexpectedEnd', ''],
  // values
  ['{ $.a = }', 'InvalidValue', '}'],
  ['{ $.a = ', 'UnexpectedEnd', ''],
  ['{ $.a = a@b }', 'InvalidValue', '@b }'],
  ['{ $.a = @b }', 'InvalidValue', '@b }'],
  ['{ $.a = $b }', 'InvalidValue', '$b }'],
  ['{ $.a = café }', 'InvalidValue', 'é }'],
  ['{ $.a < abc }', 'InvalidValue', '< abc }'],
  ['{ $.a >= "5" }', 'InvalidValue', '>= "5" }'],
  ['{ $.a > %5% }', 'InvalidValue', '> %5% }'],
  ['{ $.a > * }', 'InvalidValue', '> * }'],
  ['{ $.a = 1e999 }', 'InvalidValue', '1e999 }'],
  ['{ $.a = "abc }', 'UnterminatedString', '"abc }'],
  ['{ $.a = "a\\nb" }', 'InvalidEscape', '\\nb" }'],
  ['{ $.a = "a\\', 'InvalidEscape', '\\'],
  // '*' inside a value: AWS reads "Ev*ent" as literal text, so we refuse it
  ['{ $.a = Ev*ent }', 'UnsupportedWildcard', '*ent }'],
  ['{ $.a = "*b*c" }', 'UnsupportedWildcard', '*c" }'],
  ['{ $.a = "x\\"*y" }', 'UnsupportedWildcard', '*y" }'],
  // regexes
  ['{ $.a = %abc }', 'InvalidRegex', '%abc }'],
  ['{ $.a = %% }', 'InvalidRegex', '% }'],
  ['{ $.a = %(a|b)% }', 'InvalidRegex', '(a|b)% }'],
  ['{ $.a = %a!% }', 'InvalidRegex', '!% }'],
  ['{ $.a = %é% }', 'InvalidRegex', 'é% }'],
  ['{ $.a = %abc%x }', 'InvalidValue', 'x }'],
  [regex3, 'QuotaExceeded', '%c% }'],
  // keywords
  ['{ $.a IS NOT NULL }', 'UnsupportedKeyword', 'IS NOT NULL }'],
  ['{ $.a EXISTS }', 'UnsupportedKeyword', 'EXISTS }'],
  ['{ $.a is null }', 'UnsupportedKeyword', 'is null }'],
  ['{ $.a IS null }', 'UnsupportedKeyword', 'null }'],
  ['{ $.a IS EMPTY }', 'UnsupportedKeyword', 'EMPTY }'],
  ['{ $.a NOT NULL }', 'UnsupportedKeyword', 'NULL }'],
  ['{ $.a ISNULL }', 'InvalidOperator', 'ISNULL }'],
  ['{ $.a IS}', 'UnexpectedCharacter', '}'],
];

describe('FilterPatternError', () => {
  it.each(CASES)('%j → %s at %j', (source, reason, rest) => {
    // Act
    const error = compileError(source);

    // Assess
    expect(error.reason).toBe(reason);
    expect(source.slice(error.position)).toBe(rest);
  });

  it('refuses the empty pattern, which CloudWatch reads as "match everything"', () => {
    expect(compileError('').reason).toBe('EmptyPattern');
    expect(compileError(' \n\t').position).toBe(3);
  });

  it('refuses patterns over CloudWatch\'s 1,024-character limit, and accepts one at the limit', () => {
    // Prepare
    const body = (n: number) => `{ $.a = "${'x'.repeat(n)}" }`;
    const atLimit = body(1024 - body(0).length);

    // Act / Assess
    expect(atLimit).toHaveLength(1024);
    expect(() => compileFilterPattern(atLimit)).not.toThrow();
    expect(compileError(`${atLimit} `)).toMatchObject({ reason: 'PatternTooLong', position: 1024 });
  });

  it('allows exactly three wildcard selectors and two regexes', () => {
    expect(() => compileFilterPattern('{ $.a[*] = 1 && $.b[*] = 2 && $.* = 3 }')).not.toThrow();
    expect(() => compileFilterPattern('{ $.a = %a% && $.b = %b% && $.c = "%c%" }')).not.toThrow();
  });

  it('is a TrailwatchError with a message that shows the spot', () => {
    // Act
    const error = compileError('{ $.a == 1 }');

    // Assess
    expect(error).toBeInstanceOf(TrailwatchError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FilterPatternError');
    expect(error.source).toBe('{ $.a == 1 }');
    expect(error.message).toContain('position 6');
    expect(error.message).toContain('{ $.a ⟨here⟩== 1 }');
  });

  it('refuses a pattern that is not a string (e.g. a number from a YAML rule file)', () => {
    expect(compileError(42 as unknown as string).reason).toBe('UnsupportedPatternType');
  });
});
