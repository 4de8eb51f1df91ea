/**
 * An offline check of CloudWatch Logs Insights query text (Logs Insights QL), for the saved
 * queries and dashboard widgets the stack deploys. No AWS API parses a query without running
 * it, so this checks what can be checked here: strings, regular expressions, parentheses and
 * brackets close; `#` comments run to the end of the line; commands are separated by `|` and
 * each starts with a known command; function names are known; `limit` is 1–10,000; `stats`
 * aggregates; and every field is one of CloudTrail's record fields (a typo such as
 * `evntName` silently matches nothing in Logs Insights), an `@` field, or an alias the query
 * defines with `as`. Syntax reference: the CloudWatch Logs user guide, "CloudWatch Logs
 * Insights language query syntax".
 */

const COMMANDS = new Set([
  'fields', 'display', 'filter', 'stats', 'sort', 'limit', 'parse', 'dedup', 'unmask', 'unnest', 'pattern', 'diff', 'anomaly', 'filterIndex',
]);

const AGGREGATES = new Set(['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'pct', 'stddev', 'earliest', 'latest', 'sortsFirst', 'sortsLast']);

const FUNCTIONS = new Set([
  ...AGGREGATES,
  // general, string, numeric, datetime, IP and JSON functions
  'ispresent', 'isempty', 'isblank', 'coalesce', 'concat', 'ltrim', 'rtrim', 'trim', 'strlen', 'toupper', 'tolower', 'substr', 'replace',
  'strcontains', 'abs', 'ceil', 'floor', 'greatest', 'least', 'log', 'sqrt', 'bin', 'datefloor', 'dateceil', 'fromMillis', 'toMillis',
  'isValidIp', 'isValidIpV4', 'isValidIpV6', 'isIpInSubnet', 'isIpv4InSubnet', 'isIpv6InSubnet', 'jsonParse',
]);

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc', 'true', 'false']);

/** Top-level fields of a CloudTrail record (AWS-FACTS.md, eventVersion 1.11, and Insights records). */
export const CLOUDTRAIL_FIELDS: ReadonlySet<string> = new Set([
  'eventVersion', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'userIdentity', 'errorCode',
  'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID', 'readOnly', 'resources',
  'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory', 'tlsDetails', 'sessionCredentialFromConsole', 'apiVersion',
  'serviceEventDetails', 'sharedEventID', 'vpcEndpointId', 'insightDetails',
]);

type TokenKind = 'string' | 'regex' | 'number' | 'ident' | 'field' | 'punct' | 'pipe';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
}

export interface InsightsCheckOptions {
  /** Dashboard widgets start with `SOURCE '<log group>'`; saved queries name their groups apart. */
  readonly allowSource?: boolean;
}

/** The problems found in `query`; empty when it passes. */
export function checkInsightsQuery(query: string, options: InsightsCheckOptions = {}): string[] {
  const problems: string[] = [];
  const tokens = tokenize(query, problems);
  const commands: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'pipe') commands.push([]);
    else commands[commands.length - 1]!.push(t);
  }
  const aliases = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.kind === 'ident' && t.text === 'as' && tokens[i + 1]?.kind === 'ident') aliases.add(tokens[i + 1]!.text);
  });
  commands.forEach((command, index) => {
    const head = command[0];
    if (head === undefined) {
      problems.push(`empty command (a stray "|") at command ${index + 1}`);
      return;
    }
    if (index === 0 && head.kind === 'ident' && head.text === 'SOURCE') {
      if (!options.allowSource) problems.push(`line ${head.line}: SOURCE is for dashboard widgets; a saved query names its log groups apart`);
      if (command.length !== 2 || command[1]?.kind !== 'string') problems.push(`line ${head.line}: SOURCE takes one quoted log group name`);
      return;
    }
    if (head.kind !== 'ident' || !COMMANDS.has(head.text)) {
      problems.push(`line ${head.line}: unknown command ${JSON.stringify(head.text)}`);
      return;
    }
    checkCommand(head.text, command.slice(1), aliases, problems);
  });
  return problems;
}

function checkCommand(name: string, args: Token[], aliases: ReadonlySet<string>, problems: string[]): void {
  const at = `line ${args[0]?.line ?? '?'} (${name})`;
  if (args.length === 0) {
    problems.push(`${at}: ${name} needs arguments`);
    return;
  }
  let depth = 0;
  const stack: string[] = [];
  args.forEach((t, i) => {
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) stack.push(t.text);
    if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) {
      const open = stack.pop();
      if (open === undefined || (open === '(') !== (t.text === ')')) problems.push(`${at}: unbalanced ${t.text}`);
    }
    depth = stack.length;
    if (t.kind !== 'ident') return;
    const next = args[i + 1];
    const previous = args[i - 1];
    if (next?.kind === 'punct' && next.text === '(') {
      if (!FUNCTIONS.has(t.text)) problems.push(`${at}: unknown function ${t.text}()`);
      return;
    }
    if (KEYWORDS.has(t.text)) return;
    // the name after `as` is being defined; the rest must exist
    if (previous?.kind === 'ident' && previous.text === 'as') return;
    const root = t.text.split('.')[0] as string;
    if (!aliases.has(t.text) && !CLOUDTRAIL_FIELDS.has(root)) problems.push(`${at}: ${t.text} is not a CloudTrail record field or an alias of this query`);
  });
  if (depth !== 0) problems.push(`${at}: ${stack.join('')} left open`);
  if (name === 'limit') {
    const n = args.length === 1 && args[0]?.kind === 'number' ? Number(args[0].text) : NaN;
    if (!(Number.isInteger(n) && n >= 1 && n <= 10_000)) problems.push(`${at}: limit takes one whole number from 1 to 10000`);
  }
  if (name === 'stats' && !args.some((t, i) => t.kind === 'ident' && AGGREGATES.has(t.text) && args[i + 1]?.text === '(')) {
    problems.push(`${at}: stats needs an aggregate function (count, sum, …)`);
  }
  if (name === 'sort') {
    const last = args[args.length - 1];
    if (last?.kind !== 'ident' && last?.kind !== 'field') problems.push(`${at}: sort ends with a field or asc/desc`);
  }
}

function tokenize(query: string, problems: string[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const push = (kind: TokenKind, text: string) => tokens.push({ kind, text, line });
  while (i < query.length) {
    const c = query[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      const end = closing(query, i, c);
      if (end < 0) {
        problems.push(`line ${line}: unterminated ${c}…${c}`);
        return tokens;
      }
      push(c === '`' ? 'ident' : 'string', query.slice(i + 1, end));
      i = end + 1;
    } else if (c === '/' && !endsOperand(tokens[tokens.length - 1])) {
      const end = closing(query, i, '/');
      if (end < 0) {
        problems.push(`line ${line}: unterminated /regular expression/`);
        return tokens;
      }
      push('regex', query.slice(i + 1, end));
      i = end + 1;
    } else if (c === '|') {
      push('pipe', c);
      i++;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(?:\.[0-9]+)?/.exec(query.slice(i))![0];
      push('number', m);
      i += m.length;
    } else if (/[A-Za-z_@]/.test(c)) {
      const m = /^@?[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i))?.[0];
      if (m === undefined) {
        problems.push(`line ${line}: unexpected ${JSON.stringify(c)}`);
        i++;
        continue;
      }
      push(m.startsWith('@') ? 'field' : 'ident', m);
      i += m.length;
    } else {
      const op = /^(?:!=|<=|>=|=~|[()[\],=<>+\-*/%^])/.exec(query.slice(i))?.[0];
      if (op === undefined) {
        problems.push(`line ${line}: unexpected ${JSON.stringify(c)}`);
        i++;
        continue;
      }
      push('punct', op);
      i += op.length;
    }
  }
  return tokens;
}

/** A `/` after an operand divides; anywhere else it opens a regular expression. */
function endsOperand(t: Token | undefined): boolean {
  if (t === undefined) return false;
  if (t.kind === 'ident') return !KEYWORDS.has(t.text);
  return t.kind === 'number' || t.kind === 'field' || t.kind === 'string' || (t.kind === 'punct' && (t.text === ')' || t.text === ']'));
}

/** Index of the quote closing the one at `start`, on the same line, honouring backslash escapes; -1 if none. */
function closing(text: string, start: number, quote: string): number {
  for (let j = start + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') j++;
    else if (ch === '\n') return -1;
    else if (ch === quote) return j;
  }
  return -1;
}
