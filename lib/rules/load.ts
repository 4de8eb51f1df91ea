import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PrecompiledRuleFile } from './builtin-pack';
import { planRules, type EvaluationPlan } from './engine';
import { RuleLoadError } from './errors';
import type { Trust } from './functions';
import type { ParamValues } from './params';
import type { CompiledRule, RefusedRule, RuleEntry } from './rule';
import { compileCheckedRuleFile, compileRuleFile, compileRuleFileWithoutTestCases } from './rule-file';
import { checkExceptions, compileExceptionFile, isExceptionDocument, prepareExceptions, type CompiledException, type ExceptionSet } from './exceptions';

/** The loaded rules, compiled once: what `ruleAnalyser` evaluates and `runRuleTests` tests. */
export interface RulePack {
  /** The rules evaluated, in load order (built-in first, then user directories, each sorted by path). */
  readonly rules: readonly CompiledRule[];
  /** Every rule found, including disabled and inactive ones, with why. */
  readonly entries: readonly RuleEntry[];
  /** Files a front end recognised but refused (e.g. a Sigma rule with an unsupported feature). */
  readonly refused: readonly RefusedRule[];
  /**
   * User rule files that failed to load and were skipped (not `strict`): each one is logged,
   * counted (RuleFilesBroken) and alarmed by the function (the CLI loads strictly).
   */
  readonly broken: readonly BrokenRuleFile[];
  readonly plan: EvaluationPlan;
  /**
   * Exception files found beside the rules (lib/rules/exceptions): applied by
   * `exceptionAnalyser`, which counts what they suppress. `plan` does not apply them.
   */
  readonly exceptions: ExceptionSet;
}

/** A user rule file skipped because it does not load: the RuleLoadError's file, reason and message. */
export interface BrokenRuleFile {
  readonly file: string;
  readonly reason: RuleLoadError['reason'];
  readonly message: string;
}

/** One rule file's text and where it came from (a directory today; an S3 prefix could yield the same). */
export interface RuleDocument {
  readonly file: string;
  readonly text: string;
  /** From the built-in pack: always strict (a broken built-in file is a packaging bug). */
  readonly builtin?: boolean;
}

/** A rule file whose one YAML document was parsed at build time (the built-in pack in the bundle). */
export interface ParsedRuleDocument {
  readonly file: string;
  readonly doc: unknown;
  readonly builtin?: boolean;
  /** False: the test cases were dropped at build time (PrecompiledRuleFile.testCases). */
  readonly testCases?: false;
  /** True: checked against the schema at build time (PrecompiledRuleFile.checked). */
  readonly checked?: true;
}

/**
 * The seam for other rule formats (Sigma): a front end says which YAML documents are its
 * own and compiles them onto the same `CompiledRule`. A rule it cannot evaluate faithfully
 * is refused with the reason (reported at load time, not fatal); a malformed file throws
 * RuleLoadError like a broken trailwatch rule. Ids share one namespace with every other rule.
 */
export interface RuleFormat {
  readonly name: string;
  recognises(doc: unknown): boolean;
  compile(doc: unknown, file: string): { readonly rule: CompiledRule } | { readonly refused: string };
  /**
   * Optional: compile from the file's text (a format whose files may hold several YAML
   * documents, or whose values must keep their written form, e.g. Sigma's `action: global`
   * collections and `012345678901` account ids). Used when present.
   */
  compileText?(text: string, file: string): { readonly rule: CompiledRule } | { readonly refused: string };
}

export interface RulePackOptions {
  /** The built-in pack (`rules/` in this repository and in the Lambda package). */
  readonly builtinDir?: string;
  /**
   * The built-in pack parsed at build time (lib/rules/builtin-pack.ts): read instead of
   * `builtinDir`, its files named as if read from there.
   */
  readonly builtin?: readonly PrecompiledRuleFile[];
  /** Users' rule directories, read recursively for `*.yaml` / `*.yml`. */
  readonly userDirs?: readonly string[];
  /** Rule ids not to evaluate. An id that names no rule is an error. */
  readonly disabled?: readonly string[];
  /** Values for rules' `${NAME}` parameters, e.g. `{ ALLOWED_REGIONS: ['eu-west-1'] }`. */
  readonly params?: ParamValues;
  /** Trusted accounts and organizations for rules' `where:` functions (TRUSTED_ACCOUNTS, TRUSTED_ORGANIZATIONS). */
  readonly trust?: Trust;
  /** Front ends for other formats, asked before the trailwatch rule format. */
  readonly formats?: readonly RuleFormat[];
  /** Other places users keep rule files (an S3 prefix: lib/aws/s3-rule-source.ts). */
  readonly sources?: readonly RuleSource[];
  /**
   * Default true: any broken rule file fails loading. False (the function's default,
   * RULES_STRICT unset): a broken *user* file (directory or S3 prefix) is skipped and listed
   * in `pack.broken`, so one team's typo does not stop every other rule; the built-in pack
   * and configuration errors (unknown disabled id, unreadable directory) stay fatal.
   */
  readonly strict?: boolean;
}

/** Port: rule files kept somewhere other than a local directory. */
export interface RuleSource {
  /** Where, for messages (e.g. `s3://bucket/prefix/`). */
  readonly name: string;
  /** Every `*.yaml` / `*.yml` file, sorted by name. Throws RuleLoadError when unreadable. */
  read(): Promise<RuleDocument[]>;
}

/** Reads every rule file of the configured directories and sources and compiles the pack. Throws RuleLoadError. */
export async function loadRulePack(options: RulePackOptions): Promise<RulePack> {
  const precompiled = options.builtin !== undefined && options.builtinDir !== undefined ? options.builtin : undefined;
  const documents: (RuleDocument | ParsedRuleDocument)[] = [];
  for (const { name, doc, text, testCases, checked } of precompiled ?? []) {
    const file = path.join(options.builtinDir as string, name);
    documents.push(text !== undefined ? { file, text, builtin: true } : { file, doc, builtin: true, ...(testCases === false ? { testCases, ...(checked === true ? { checked } : {}) } : {}) });
  }
  // loops, not push(...): a directory or source may hold more files than a call has arguments
  if (options.builtinDir !== undefined && precompiled === undefined) {
    for (const doc of await readRuleDirectory(options.builtinDir)) documents.push({ ...doc, builtin: true });
  }
  for (const dir of options.userDirs ?? []) for (const doc of await readRuleDirectory(dir)) documents.push(doc);
  for (const source of options.sources ?? []) for (const doc of await source.read()) documents.push(doc);
  return buildRulePack(documents, options);
}

/** `*.yaml` and `*.yml` files below `dir`, sorted by path so load order is stable. */
export async function readRuleDirectory(dir: string): Promise<RuleDocument[]> {
  let names: string[];
  try {
      names = (await readdir(dir, { recursive: true })).map(String);
  } catch (err) {
    throw new RuleLoadError('UnreadableRuleFile', dir, `cannot read the rule directory: ${(err as Error).message}`, { cause: err });
  }
  const files = names.filter((n) => /\.ya?ml$/i.test(n)).sort();
  const documents: RuleDocument[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      documents.push({ file, text: await readFile(file, 'utf8') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR') continue;
      throw new RuleLoadError('UnreadableRuleFile', file, `cannot read: ${(err as Error).message}`, { cause: err });
    }
  }
  return documents;
}

/** The pure core of loading: documents in, a compiled pack out. Throws RuleLoadError on the first broken file. */
export function buildRulePack(
  documents: readonly (RuleDocument | ParsedRuleDocument)[],
  options: Omit<RulePackOptions, 'builtinDir' | 'builtin' | 'userDirs'> = {},
): RulePack {
  const disabled = new Set(options.disabled ?? []);
  const formats = options.formats ?? [];
  const entries: RuleEntry[] = [];
  const refused: RefusedRule[] = [];
  const broken: BrokenRuleFile[] = [];
  const seen = new Map<string, string>();
  const strict = options.strict ?? true;
  const exceptionFiles: { file: string; builtin: boolean; exceptions: CompiledException[] }[] = [];

  for (const document of documents) {
    const { file, builtin } = document;
    const text = 'text' in document ? document.text : undefined;
    try {
    // Parsed once, for both the format check and the rule: YAML parsing is most of a cold
    // start's rule loading, and every built-in file used to be parsed twice with Sigma on.
    // The bundle's built-in files come parsed already (build/builtin-rules.js).
    const parsed = text === undefined ? undefined : parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
    const first = parsed === undefined ? (document as ParsedRuleDocument).doc : formats.some((f) => f.compileText) ? firstDocument(parsed) : undefined;
    const textFormat = first === undefined ? undefined : formats.find((f) => f.compileText && f.recognises(first));
    if (textFormat && text === undefined) throw new RuleLoadError('InvalidRule', file, `a ${textFormat.name} rule parsed at build time without its text`);
    const doc = textFormat ? undefined : parsed === undefined ? first : parseYaml(file, parsed, first);
    if (isExceptionDocument(doc)) {
      exceptionFiles.push({ file, builtin: builtin === true, exceptions: compileExceptionFile(doc, file) });
      continue;
    }
    const format = textFormat ?? formats.find((f) => f.recognises(doc));
    let entry: RuleEntry;
    if (format !== undefined) {
      const result = textFormat?.compileText && text !== undefined ? textFormat.compileText(text, file) : format.compile(doc, file);
      if ('refused' in result) {
        refused.push({ file, format: format.name, reason: result.refused });
        continue;
      }
      const rule = result.rule;
      entry = disabled.has(rule.id)
        ? { id: rule.id, file, format: format.name, status: 'disabled', statusReason: 'disabled by configuration', rule }
        : { id: rule.id, file, format: format.name, status: 'active', rule };
    } else if (looksLikeSigma(doc)) {
      refused.push({ file, format: 'sigma', reason: 'Sigma rules need the Sigma front end, which is not loaded' });
      continue;
    } else {
      const withoutTestCases = 'testCases' in document && document.testCases === false;
      const compile = !withoutTestCases ? compileRuleFile : document.checked === true ? compileCheckedRuleFile : compileRuleFileWithoutTestCases;
      entry = compile(doc, file, { params: options.params ?? {}, disabled, ...(options.trust === undefined ? {} : { trust: options.trust }) });
    }
    const other = seen.get(entry.id);
    if (other !== undefined) throw new RuleLoadError('DuplicateRuleId', file, `rule id ${JSON.stringify(entry.id)} is already used by ${other}`);
    seen.set(entry.id, file);
    entries.push(entry);
    } catch (err) {
      if (strict || builtin === true || !(err instanceof RuleLoadError)) throw err;
      broken.push({ file: err.file, reason: err.reason, message: err.message });
    }
  }

  const unknown = [...disabled].filter((id) => !seen.has(id));
  if (unknown.length > 0) {
    throw new RuleLoadError('UnknownDisabledRule', 'disabled rules', `no rule has the id ${unknown.map((id) => JSON.stringify(id)).join(', ')}`);
  }

  const rules = entries.filter((e) => e.status === 'active' && e.rule !== undefined).map((e) => e.rule as CompiledRule);
  const exceptions = loadedExceptions(exceptionFiles, new Set(seen.keys()), strict, broken);
  return Object.freeze({
    rules: Object.freeze(rules),
    entries: Object.freeze(entries),
    refused: Object.freeze(refused),
    broken: Object.freeze(broken),
    plan: planRules(rules),
    exceptions: prepareExceptions(exceptions, rules),
  });
}

/**
 * The exceptions of every file that passes the cross-file checks (unique ids, known rule
 * ids). Not strict, a user file that fails them is dropped whole into `broken`: its matches
 * alert again, which is loud, rather than a partly applied file.
 */
function loadedExceptions(files: readonly { file: string; builtin: boolean; exceptions: CompiledException[] }[], ruleIds: ReadonlySet<string>, strict: boolean, broken: BrokenRuleFile[]): CompiledException[] {
  const kept: CompiledException[] = [];
  for (const f of files) {
    const problem = checkExceptions([...kept, ...f.exceptions], ruleIds);
    if (problem === undefined) {
      for (const e of f.exceptions) kept.push(e);
      continue;
    }
    if (strict || f.builtin) throw problem;
    broken.push({ file: problem.file, reason: problem.reason, message: problem.message });
  }
  return kept;
}

type ParsedYaml = ReturnType<typeof parseAllDocuments>;

/** The first YAML document of a file, leniently (undefined when it does not parse). */
function firstDocument(parsed: ParsedYaml): unknown {
  try {
    const [doc] = parsed;
    return doc && doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  } catch {
    return undefined;
  }
}

/** The file's one document as JS; `first` is `firstDocument` of the same parse, when known. */
function parseYaml(file: string, docs: ParsedYaml, first: unknown): unknown {
  // One document per file; YAML 1.2 core schema, so `No`, `Yes` and dates stay strings
  // (MFAUsed: No, eventTime: 2026-…) as CloudTrail wrote them.
  if (docs.length === 0) throw new RuleLoadError('InvalidYaml', file, 'the file is empty');
  if (docs.length !== 1) throw new RuleLoadError('InvalidYaml', file, `one rule per file: found ${docs.length} YAML documents`);
  const doc = docs[0]!;
  const problem = doc.errors[0];
  if (problem !== undefined) throw new RuleLoadError('InvalidYaml', file, problem.message.split('\n')[0] ?? 'invalid YAML', { cause: problem });
  if (first !== undefined) return first;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml throws a plain ReferenceError for an alias bomb ("Excessive alias count …")
    throw new RuleLoadError('InvalidYaml', file, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** SigmaHQ rules: `logsource` and `detection` at the top level. */
function looksLikeSigma(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && 'logsource' in doc && 'detection' in doc && !('match' in doc);
}
