import { PARAM_VALUE, type RuleParam } from './schema';

/**
 * `${NAME}` parameters in a rule's `match`. The filter-pattern language has no "not in this
 * list", and a list that differs per deployment (allowed Regions) cannot be written into the
 * built-in file. So a rule declares the parameter with a clause template, and at load time
 * `${NAME}` becomes the clauses for the configured values, joined and parenthesised:
 *
 *   each: '($.awsRegion != "{}")', join: '&&', values [us-east-1, eu-west-1]
 *   → (($.awsRegion != "us-east-1") && ($.awsRegion != "eu-west-1"))
 *
 * The result is an ordinary filter pattern, compiled and length-checked like any other.
 */

const REFERENCE = /\$\{([^}]*)\}/g;

export type ParamValues = Readonly<Record<string, readonly string[]>>;

/** The `${…}` names a pattern uses, in order, without duplicates. */
export function referencedParams(pattern: string): string[] {
  return [...new Set([...pattern.matchAll(REFERENCE)].map((m) => m[1] as string))];
}

export type Expansion = { readonly pattern: string } | { readonly missing: string } | { readonly invalid: string };

/**
 * Expands every `${NAME}`. `values` are the configured values; a parameter without one
 * falls back to its default, and with neither the result is `missing` (the rule stays
 * inactive). Declarations are checked by the caller (`checkParamDeclarations`).
 */
export function expandParams(pattern: string, declared: Readonly<Record<string, RuleParam>>, values: ParamValues): Expansion {
  const clauses = new Map<string, string>();
  for (const [name, param] of Object.entries(declared)) {
    const given = Object.hasOwn(values, name) ? values[name] : undefined;
    const list = given !== undefined && given.length > 0 ? given : param.default;
    if (list === undefined) return { missing: name };
    const bad = list.find((v) => !PARAM_VALUE.test(v));
    if (bad !== undefined) return { invalid: `${name}: value ${JSON.stringify(bad)} may hold only letters, digits and . _ : / @ + = , -` };
    clauses.set(name, `(${list.map((v) => param.each.split('{}').join(v)).join(` ${param.join} `)})`);
  }
  return { pattern: pattern.replace(REFERENCE, (_all, name: string) => clauses.get(name) ?? '') };
}

/** Problems with how a rule declares and uses parameters, or undefined when consistent. */
export function checkParamDeclarations(pattern: string, declared: Readonly<Record<string, RuleParam>>, testValues: ParamValues | undefined): string | undefined {
  const used = referencedParams(pattern);
  const undeclared = used.filter((name) => !Object.hasOwn(declared, name));
  if (undeclared.length > 0) return `match uses \${${undeclared[0]}}, which params does not declare`;
  const unused = Object.keys(declared).filter((name) => !used.includes(name));
  if (unused.length > 0) return `params declares ${unused[0]}, which match does not use`;
  for (const name of Object.keys(testValues ?? {})) {
    if (!Object.hasOwn(declared, name)) return `tests.params sets ${name}, which params does not declare`;
  }
  for (const [name, param] of Object.entries(declared)) {
    if (param.default === undefined && !(testValues !== undefined && Object.hasOwn(testValues, name))) {
      return `parameter ${name} has no default, so tests.params must give it values to test with`;
    }
  }
  return undefined;
}
