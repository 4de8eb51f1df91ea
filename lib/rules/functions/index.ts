import { fieldReader, isFieldPath } from '../field-path';
import { policyReach } from './policy';
import { aclIsPublic, permissionReach, sharingReach } from './sharing';
import { NO_TRUST, reachesOutside, type Trust } from './trust';

export { policyReach } from './policy';
export { aclIsPublic, permissionReach, sharingReach } from './sharing';
export { NO_TRUST, reachesOutside, type Reach, type Trust } from './trust';

/**
 * Named functions a rule file may use in `where:` (README.md in lib/rules): judgements a
 * filter pattern cannot make — does this policy let everyone in, or an account that is not
 * ours? Each takes one field path and reads that field of the record; the `…GrantsOutside`
 * functions also read the record's own account and the configured trust.
 */
export interface RuleFunction {
  readonly summary: string;
  readonly test: (value: unknown, record: unknown, trust: Trust) => boolean;
}

export const RULE_FUNCTIONS: Readonly<Record<string, RuleFunction>> = Object.freeze({
  policyIsPublic: {
    summary: 'a resource policy (object or JSON text) with an Allow statement for everyone and no restricting condition; unreadable policies count',
    test: (value) => {
      const reach = policyReach(value);
      return reach.public || reach.unreadable;
    },
  },
  policyGrantsOutside: {
    summary: 'policyIsPublic, or an Allow statement reaching an account or organization that is not trusted',
    test: (value, record, trust) => {
      const reach = policyReach(value);
      return reach.unreadable || reachesOutside(reach, trust, record);
    },
  },
  sharingIsPublic: {
    summary: 'an attribute sharing change (EC2 launchPermission / createVolumePermission, RDS valuesToAdd, a list of ids) that adds group/value "all"',
    test: (value) => sharingReach(value).public,
  },
  sharingGrantsOutside: {
    summary: 'sharingIsPublic, or the change adds an account or organization that is not trusted',
    test: (value, record, trust) => reachesOutside(sharingReach(value), trust, record),
  },
  permissionIsPublic: {
    summary: 'a Lambda AddPermission (requestParameters) for principal "*" not limited by sourceAccount, sourceArn or principalOrgID',
    test: (value) => permissionReach(value).public,
  },
  permissionGrantsOutside: {
    summary: 'permissionIsPublic, or the permission reaches an account or organization that is not trusted',
    test: (value, record, trust) => reachesOutside(permissionReach(value), trust, record),
  },
  aclIsPublic: {
    summary: 'an S3 ACL change (requestParameters) granting AllUsers or AuthenticatedUsers: canned x-amz-acl, AccessControlPolicy grant or x-amz-grant-* header',
    test: (value) => aclIsPublic(value),
  },
});

const CALL = /^(!?)\s*([A-Za-z][A-Za-z0-9]*)\(\s*([^()\s]+)\s*\)$/;

/** A `where:` expression that does not parse, or names an unknown function. */
export class WhereSyntaxError extends Error {}

/**
 * `where:` → a predicate. The expression is function calls, each optionally negated with
 * `!`, joined by `&&` and `||` (`&&` binds tighter; no parentheses):
 * `policyIsPublic(requestParameters.bucketPolicy)`,
 * `sharingGrantsOutside(requestParameters.valuesToAdd) || …`. Throws WhereSyntaxError.
 */
export function compileWhere(expression: string, trust: Trust = NO_TRUST): (record: unknown) => boolean {
  const alternatives = expression.split('||').map((alternative) =>
    alternative.split('&&').map((call) => {
      const text = call.trim();
      const m = CALL.exec(text);
      if (m === null) throw new WhereSyntaxError(`${JSON.stringify(text)} is not a function call such as policyIsPublic(requestParameters.policy)`);
      const [, not, name, path] = m as unknown as [string, string, string, string];
      const fn = Object.hasOwn(RULE_FUNCTIONS, name) ? RULE_FUNCTIONS[name] : undefined;
      if (fn === undefined) throw new WhereSyntaxError(`unknown function ${name}; known: ${Object.keys(RULE_FUNCTIONS).join(', ')}`);
      if (path.startsWith('$') || !isFieldPath(path)) throw new WhereSyntaxError(`${name}(${path}): the argument must be a dotted field path such as requestParameters.policy`);
      const read = fieldReader(path);
      return not === '!' ? (record: unknown): boolean => !fn.test(read(record), record, trust) : (record: unknown): boolean => fn.test(read(record), record, trust);
    }),
  );
  return (record) => alternatives.some((all) => all.every((test) => test(record)));
}
