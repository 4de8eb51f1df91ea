import { Command } from 'commander';
import { EXIT } from '../../lib/cli/exit-codes';
import { loadRulePack } from '../../lib/rules/load';
import { RuleLoadError } from '../../lib/rules/errors';
import { formatRuleTestResult, runRuleTests } from '../../lib/rules/test-runner';
import { runExceptionTests } from '../../lib/rules/exceptions';
import { examples, packOptions, withRuleOptions, type CliContext, type RuleFlags } from './context';

export function testRulesCommand(ctx: CliContext): Command {
  return withRuleOptions(new Command('test-rules'))
    .description("run every rule's own tests (built-in pack and your directories): one line per rule; exit 1 if a test fails or a rule file does not load")
    .addHelpText('after', examples(['trailwatch test-rules', 'trailwatch test-rules --rules ./my-rules --allowed-regions eu-west-1,eu-central-1']))
    .action(async (flags: RuleFlags) => {
      let pack;
      try {
        pack = await loadRulePack(packOptions(flags, ctx));
      } catch (e) {
        // a broken rule file is what this command exists to catch: a finding, not a usage error
        if (!(e instanceof RuleLoadError)) throw e;
        ctx.err(`rule pack did not load: ${e.reason}: ${e.message}`);
        ctx.setExitCode(EXIT.findings);
        return;
      }
      const exceptions = runExceptionTests(pack);
      const results = [...runRuleTests(pack), ...exceptions];
      for (const result of results) ctx.out(formatRuleTestResult(result));
      for (const refused of pack.refused) ctx.out(`SKIP ${refused.file}  refused (${refused.format}): ${refused.reason}`);
      const failed = results.filter((r) => r.status === 'fail').length;
      const counted = `${results.length - exceptions.length} rules${exceptions.length > 0 ? `, ${exceptions.length} exceptions` : ''}`;
      ctx.out(`\n${counted}: ${results.length - failed} passed, ${failed} failed${pack.refused.length > 0 ? `; ${pack.refused.length} refused` : ''}`);
      ctx.setExitCode(failed > 0 ? EXIT.findings : EXIT.clean);
    });
}
