// The subset of OData $filter the fake Dataverse understands: comparisons (eq ne gt ge lt le), and/or/not,
// parentheses, contains/startswith/endswith (with Dataverse's T-SQL LIKE wildcards), null, strings with '' escapes,
// numbers, booleans, date-times and GUIDs. Anything else is a syntax error, as Dataverse would answer.

export type Value = string | number | boolean | null | { datetime: number };
export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; inner: Expr }
  | { kind: 'compare'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; property: string; value: Value }
  | { kind: 'call'; fn: 'contains' | 'startswith' | 'endswith'; property: string; value: string };

export class ODataSyntaxError extends Error {}

type Token = { type: 'ident' | 'string' | 'number' | 'datetime' | 'guid' | 'punct'; text: string; pos: number };

const TOKEN =
  /\s*(?:(?<string>'(?:[^']|'')*')|(?<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(?<datetime>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?)(?![\w-])|(?<number>-?\d+(?:\.\d+)?)(?![\w.])|(?<ident>[A-Za-z_][A-Za-z0-9_]*)|(?<punct>[(),]))/y;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < input.length) {
    if (/^\s*$/.test(input.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(input);
    if (!m?.groups) throw new ODataSyntaxError(`Syntax error at position ${pos} in '${input}'.`);
    const [type, text] = Object.entries(m.groups).find(([, v]) => v !== undefined) as [Token['type'], string];
    tokens.push({ type, text, pos: m.index + m[0].length - text.length });
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith']);

export function parseFilter(input: string): Expr {
  const tokens = tokenize(input);
  let i = 0;
  const peek = () => tokens[i];
  const fail = (): never => {
    throw new ODataSyntaxError(`Syntax error at position ${peek()?.pos ?? input.length} in '${input}'.`);
  };
  const expect = (text: string) => {
    if (peek()?.text !== text) fail();
    i++;
  };
  const literal = (): Value => {
    const t = tokens[i++] ?? fail();
    if (t.type === 'string') return t.text.slice(1, -1).replaceAll("''", "'");
    if (t.type === 'number') return Number(t.text);
    if (t.type === 'guid') return t.text.toLowerCase();
    if (t.type === 'datetime') return { datetime: Date.parse(t.text.length === 10 ? `${t.text}T00:00:00Z` : t.text) };
    if (t.type === 'ident' && t.text === 'null') return null;
    if (t.type === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    return fail();
  };
  const primary = (): Expr => {
    const t = peek() ?? fail();
    if (t.text === '(') {
      i++;
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.type !== 'ident') fail();
    i++;
    if (t.text === 'not') return { kind: 'not', inner: primary() };
    if (FUNCTIONS.has(t.text) && peek()?.text === '(') {
      i++;
      const property = tokens[i++];
      if (property?.type !== 'ident') fail();
      expect(',');
      const value = literal();
      if (typeof value !== 'string') fail();
      expect(')');
      return { kind: 'call', fn: t.text as 'contains', property: (property as Token).text, value: value as string };
    }
    const op = tokens[i++];
    if (!op || !COMPARISONS.has(op.text)) fail();
    return { kind: 'compare', op: (op as Token).text as 'eq', property: t.text, value: literal() };
  };
  const and = (): Expr => {
    let left = primary();
    while (peek()?.text === 'and') {
      i++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Expr => {
    let left = and();
    while (peek()?.text === 'or') {
      i++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const expr = or();
  if (i !== tokens.length) fail();
  return expr;
}

export function properties(expr: Expr): string[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return [...properties(expr.left), ...properties(expr.right)];
    case 'not':
      return properties(expr.inner);
    default:
      return [expr.property];
  }
}

/** T-SQL LIKE (Dataverse runs contains/startswith as LIKE): % _ and [set] are wildcards; [%] is a literal %. */
export function likeToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, close);
      const negate = set.startsWith('^');
      if (negate) set = set.slice(1);
      out += `[${negate ? '^' : ''}${set.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else out += c.replace(/[.*+?^${}()|\\\]/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'is');
}

function compare(a: unknown, b: Value): number | null {
  if (a === null || a === undefined || b === null) return null;
  if (typeof b === 'object') {
    const t = Date.parse(String(a));
    return Number.isNaN(t) ? null : t - b.datetime;
  }
  if (typeof b === 'number') return Number(a) - b;
  if (typeof b === 'boolean') return a === b ? 0 : 1;
  return String(a).toLowerCase().localeCompare(b.toLowerCase());
}

/** `read(property)` gives a row's raw value for a Web API property name (`_x_value` for lookups). */
export function evaluate(expr: Expr, read: (property: string) => unknown): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, read) && evaluate(expr.right, read);
    case 'or':
      return evaluate(expr.left, read) || evaluate(expr.right, read);
    case 'not':
      return !evaluate(expr.inner, read);
    case 'call': {
      const v = read(expr.property);
      if (v === null || v === undefined) return false;
      const pattern = expr.fn === 'contains' ? `%${expr.value}%` : expr.fn === 'startswith' ? `${expr.value}%` : `%${expr.value}`;
      return likeToRegExp(pattern).test(String(v));
    }
    case 'compare': {
      const v = read(expr.property);
      if (expr.value === null) {
        const isNull = v === null || v === undefined;
        if (expr.op === 'eq') return isNull;
        if (expr.op === 'ne') return !isNull;
        return false;
      }
      const c = compare(v, expr.value);
      if (c === null) return false; // SQL: a comparison with NULL is unknown, never true
      switch (expr.op) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'gt':
          return c > 0;
        case 'ge':
          return c >= 0;
        case 'lt':
          return c < 0;
        case 'le':
          return c <= 0;
      }
    }
  }
}
