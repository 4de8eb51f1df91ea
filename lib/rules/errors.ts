import { TrailwatchError } from '../errors';

/**
 * Why a rule file (or the rule configuration) was refused. Stable and metric-friendly, like
 * every `TrailwatchError.reason`: callers and tests branch on it, never on message text.
 */
export type RuleLoadErrorReason =
  /** A rule directory or file that cannot be read (missing directory, permissions). */
  | 'UnreadableRuleFile'
  /** Not YAML, or more than one YAML document in a file. */
  | 'InvalidYaml'
  /** YAML that is not a rule: a missing or misspelt field, a wrong type, an unknown key. */
  | 'InvalidRule'
  /** `match` does not compile as a CloudWatch Logs filter pattern (`position` says where). */
  | 'InvalidPattern'
  /** `where:` that does not parse, names an unknown function, or passes it something that is not a field path. */
  | 'InvalidWhere'
  /** A `${NAME}` parameter that is undeclared, unused, or given a value it cannot take. */
  | 'InvalidRuleParam'
  /** Two rules with one id (built-in and user rules share one namespace). */
  | 'DuplicateRuleId'
  /** `id` differs from the file name: the file name is how people find a rule. */
  | 'RuleIdMismatch'
  /** An exception file that does not validate, whose pattern does not compile, with a duplicate id or an unknown rule id. */
  | 'InvalidException'
  /** A disabled id (DISABLED_RULES, `--disable`) that names no loaded rule: a typo must not leave a rule on. */
  | 'UnknownDisabledRule';

/** A rule file or rule setting that trailwatch refuses at load time, naming the file and why. */
export class RuleLoadError extends TrailwatchError {
  readonly reason: RuleLoadErrorReason;
  /** The rule file (path as found), or the setting, e.g. `DISABLED_RULES`. */
  readonly file: string;
  /** For `InvalidPattern`: zero-based index into the (expanded) pattern. */
  readonly position?: number;

  constructor(reason: RuleLoadErrorReason, file: string, detail: string, options?: { cause?: unknown; position?: number }) {
    super(`${file}: ${detail}`, options);
    this.reason = reason;
    this.file = file;
    if (options?.position !== undefined) this.position = options.position;
  }
}
