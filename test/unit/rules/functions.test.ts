import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileWhere, RULE_FUNCTIONS, type Trust, WhereSyntaxError } from '../../../lib/rules/functions';

/**
 * The exposure corpus (test/fixtures/exposure/corpus.json): resource policies, sharing
 * attribute changes, Lambda permissions and S3 ACLs, each labelled public / outside (shared
 * with an untrusted account or organization) / private, run through the `where:` functions.
 */
interface Case {
  name: string;
  kind: 'policy' | 'sharing' | 'permission' | 'acl';
  expect: 'public' | 'outside' | 'private';
  why: string;
  value: unknown;
}
const corpus = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/exposure/corpus.json'), 'utf8')) as {
  trust: { ownAccount: string; accounts: string[]; organizations: string[] };
  cases: Case[];
};
const trust: Trust = { accounts: corpus.trust.accounts, organizations: corpus.trust.organizations };
const record = (value: unknown): Record<string, unknown> => ({ recipientAccountId: corpus.trust.ownAccount, requestParameters: { value } });

const FUNCTIONS = {
  policy: ['policyIsPublic', 'policyGrantsOutside'],
  sharing: ['sharingIsPublic', 'sharingGrantsOutside'],
  permission: ['permissionIsPublic', 'permissionGrantsOutside'],
  acl: ['aclIsPublic', undefined],
} as const;

describe('exposure corpus through the rule functions', () => {
  it.each(corpus.cases.map((c) => [`${c.kind}: ${c.name} is ${c.expect} (${c.why})`, c] as const))('%s', (_title, c) => {
    // Prepare
    const [isPublic, grantsOutside] = FUNCTIONS[c.kind];

    // Act
    const judgedPublic = compileWhere(`${isPublic}(requestParameters.value)`, trust)(record(c.value));
    const judgedOutside = grantsOutside === undefined ? undefined : compileWhere(`${grantsOutside}(requestParameters.value)`, trust)(record(c.value));

    // Assess
    expect(judgedPublic).toBe(c.expect === 'public');
    if (judgedOutside !== undefined) expect(judgedOutside).toBe(c.expect !== 'private');
  });

  it('holds every label for every kind', () => {
    // Prepare, Act
    const labels = new Set(corpus.cases.map((c) => `${c.kind}:${c.expect}`));

    // Assess
    expect([...labels].sort()).toEqual(
      ['acl:private', 'acl:public', 'permission:outside', 'permission:private', 'permission:public', 'policy:outside', 'policy:private', 'policy:public', 'sharing:outside', 'sharing:private', 'sharing:public'],
    );
  });
});

describe('compileWhere', () => {
  const foreign = { recipientAccountId: '111122223333', requestParameters: { principal: '999988887777', policy: { Statement: { Effect: 'Allow', Principal: '*' } } } };

  it('trusts the configured accounts and the record\'s own account', () => {
    // Prepare
    const where = 'permissionGrantsOutside(requestParameters)';

    // Act
    const untrusted = compileWhere(where)(foreign);
    const trusted = compileWhere(where, { accounts: ['999988887777'], organizations: [] })(foreign);
    const own = compileWhere(where)({ ...foreign, recipientAccountId: '999988887777' });

    // Assess
    expect([untrusted, trusted, own]).toEqual([true, false, false]);
  });

  it('joins calls with && (binding tighter) and ||, and negates with !', () => {
    // Prepare
    const yes = 'policyIsPublic(requestParameters.policy)';
    const no = 'permissionIsPublic(requestParameters)';

    // Act
    const results = [`${yes} && ${no}`, `${no} || ${yes}`, `!${no} && ${yes}`, `${no} || ${yes} && !${yes}`].map((e) => compileWhere(e)(foreign));

    // Assess
    expect(results).toEqual([false, true, true, false]);
  });

  it.each([
    ['unknown function', 'policyIsPrivate(requestParameters.policy)', /unknown function policyIsPrivate/],
    ['not a call', 'requestParameters.policy', /not a function call/],
    ['not a field path', 'policyIsPublic($.requestParameters.policy)', /dotted field path/],
    ['two arguments', 'policyIsPublic(a, b)', /not a function call/],
    ['inherited name', 'constructor(requestParameters)', /unknown function constructor/],
  ])('refuses %s', (_title, expression, message) => {
    // Prepare, Act
    const compile = (): unknown => compileWhere(expression);

    // Assess
    expect(compile).toThrow(WhereSyntaxError);
    expect(compile).toThrow(message);
  });

  it('never throws on records of any shape', () => {
    // Prepare
    const odd: unknown[] = [null, 7, 'x', [], { requestParameters: null }, { requestParameters: { value: { Statement: [null, 3, { Effect: 'Allow', Principal: { AWS: [null, 5] }, Condition: { StringEquals: null } }] } } }];

    // Act
    const run = (): unknown => Object.keys(RULE_FUNCTIONS).flatMap((name) => odd.map((r) => compileWhere(`${name}(requestParameters.value)`)(r)));

    // Assess
    expect(run).not.toThrow();
  });
});
