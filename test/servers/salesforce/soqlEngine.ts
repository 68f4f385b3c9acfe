import type { FakeRecord } from './controlTypes.ts';
import type { DescribeField, ObjectMeta } from './objects.ts';
import { findObject } from './objects.ts';

/**
 * Just enough SOQL for what the connector sends: `SELECT f, … | COUNT() FROM Obj [WHERE c AND c …] [LIMIT n]`
 * with comparisons, LIKE, INCLUDES/EXCLUDES and typed literals, parsed as strictly as Salesforce does (a literal
 * of the wrong type, an unknown field, a stray backslash are errors), so a query bug in the connector fails here
 * the way it would in production.
 */

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR',
    message: string,
  ) {
    super(message);
  }
}

type Literal =
  | { kind: 'string'; raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number };

type Token = { kind: 'word'; text: string } | { kind: 'op'; text: string } | { kind: 'punct'; text: string } | { kind: 'literal'; value: Literal };

type Condition = { field: DescribeField; op: string; values: Literal[] };
/** A WHERE clause: a condition, or a parenthesized group of them joined by one connective (SOQL needs parentheses to mix AND and OR). */
type Clause = Condition | { group: 'AND' | 'OR'; clauses: Clause[] };

export type ParsedQuery = { object: ObjectMeta; count: boolean; fields: DescribeField[]; where: Clause[]; limit: number | null };

const malformed = (message: string) => new SoqlError('MALFORMED_QUERY', message);

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let raw = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw malformed('unterminated string literal');
        const ch = soql[i] as string;
        if (ch === '\\') {
          const next = soql[i + 1];
          if (next === undefined || !/[nNrRtTbBfF"'\\%_u]/.test(next)) throw malformed(`invalid escape sequence \\${next ?? ''}`);
          raw += `\\${next}`;
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          raw += ch;
          i++;
        }
      }
      tokens.push({ kind: 'literal', value: { kind: 'string', raw } });
    } else if (/[=<>!]/.test(c)) {
      const two = soql.slice(i, i + 2);
      const op = ['!=', '<>', '<=', '>='].includes(two) ? two : c;
      if (op === '!') throw malformed('unexpected !');
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else if (c === ',' || c === '(' || c === ')') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else {
      const m = /^[A-Za-z0-9_.:+-]+/.exec(soql.slice(i));
      if (!m) throw malformed(`unexpected character ${c}`);
      const text = m[0];
      i += text.length;
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
        tokens.push({ kind: 'literal', value: { kind: 'datetime', value: Date.parse(text) } });
      } else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
        tokens.push({ kind: 'literal', value: { kind: 'date', value: text } });
      } else if (/^[+-]?\d+(\.\d+)?$/.test(text)) {
        tokens.push({ kind: 'literal', value: { kind: 'number', value: Number(text) } });
      } else if (/^(true|false)$/i.test(text)) {
        tokens.push({ kind: 'literal', value: { kind: 'boolean', value: text.toLowerCase() === 'true' } });
      } else if (/^null$/i.test(text)) {
        tokens.push({ kind: 'literal', value: { kind: 'null' } });
      } else if (/^[A-Za-z][A-Za-z0-9_.]*$/.test(text)) {
        tokens.push({ kind: 'word', text });
      } else {
        throw malformed(`unexpected token ${text}`);
      }
    }
  }
  return tokens;
}

const STRING_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

/** The value of a quoted literal outside LIKE, where \% and \_ are errors. */
function decodeString(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    const v = STRING_ESCAPES[e.toLowerCase()];
    if (v === undefined) throw malformed(`invalid escape sequence \\${e} outside LIKE`);
    return v;
  });
}

/** A LIKE pattern as a case-insensitive regular expression (% any run, _ one character, \% \_ themselves). */
function likeRegex(raw: string): RegExp {
  let source = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const e = raw[i + 1] as string;
      i++;
      if (e === '%' || e === '_') source += `\\${e}`;
      else if (e === 'u') {
        source += escapeRegex(String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16)));
        i += 4;
      } else source += escapeRegex(STRING_ESCAPES[e.toLowerCase()] ?? e);
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, 'i');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw malformed('unexpected end of query');
    return t;
  }
  keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && t.text.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }
  expectKeyword(word: string): void {
    if (!this.keyword(word)) throw malformed(`expected ${word}`);
  }
  expectPunct(p: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) throw malformed(`expected ${p}`);
  }
  word(): string {
    const t = this.next();
    if (t.kind !== 'word') throw malformed('expected a name');
    return t.text;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

function resolveField(object: ObjectMeta, name: string): DescribeField {
  const f = object.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!f) {
    throw new SoqlError(
      'INVALID_FIELD',
      `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
    );
  }
  return f;
}

const STRING_FIELD_TYPES = new Set(['id', 'string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist', 'reference']);
const NUMBER_FIELD_TYPES = new Set(['int', 'double', 'currency', 'percent']);

function checkLiteralType(field: DescribeField, value: Literal): void {
  if (value.kind === 'null') return;
  const ok =
    (STRING_FIELD_TYPES.has(field.type) && value.kind === 'string') ||
    (NUMBER_FIELD_TYPES.has(field.type) && value.kind === 'number') ||
    (field.type === 'boolean' && value.kind === 'boolean') ||
    (field.type === 'date' && value.kind === 'date') ||
    (field.type === 'datetime' && value.kind === 'datetime');
  if (!ok) {
    throw new SoqlError(
      'INVALID_QUERY_FILTER_OPERATOR',
      `value of filter criterion for field '${field.name}' must be of type ${field.type}${STRING_FIELD_TYPES.has(field.type) ? '' : ' and should not be enclosed in quotes'}`,
    );
  }
}

export function parseSoql(soql: string): ParsedQuery {
  const p = new Parser(tokenize(soql));
  p.expectKeyword('SELECT');
  let count = false;
  const names: string[] = [];
  if (p.peek()?.kind === 'word' && (p.peek() as { text: string }).text.toUpperCase() === 'COUNT') {
    p.next();
    p.expectPunct('(');
    p.expectPunct(')');
    count = true;
  } else {
    names.push(p.word());
    while (p.peek()?.kind === 'punct' && (p.peek() as { text: string }).text === ',') {
      p.next();
      names.push(p.word());
    }
  }
  p.expectKeyword('FROM');
  const objectName = p.word();
  const object = findObject(objectName);
  if (!object || !object.queryable) {
    throw new SoqlError(
      'INVALID_TYPE',
      `sObject type '${objectName}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`,
    );
  }
  const fields = names.map((n) => {
    if (n.includes('.')) throw new SoqlError('INVALID_FIELD', `Didn't understand relationship '${n.split('.')[0]}' in field path.`);
    return resolveField(object, n);
  });
  const where: Clause[] = [];
  if (p.keyword('WHERE')) {
    do {
      where.push(parseClause(p, object));
    } while (p.keyword('AND'));
    // Real SOQL refuses AND and OR mixed without parentheses; NOT is beyond this fake.
    if (p.peek()?.kind === 'word' && /^(OR|NOT)$/i.test((p.peek() as { text: string }).text)) throw malformed('unexpected token: OR (put mixed AND/OR in parentheses)');
  }
  let limit: number | null = null;
  if (p.keyword('LIMIT')) {
    const t = p.next();
    if (t.kind !== 'literal' || t.value.kind !== 'number' || !Number.isInteger(t.value.value) || t.value.value < 0) throw malformed('LIMIT needs a whole number');
    limit = t.value.value;
  }
  if (!p.done()) throw malformed(`unexpected token after the query: ${JSON.stringify(p.peek())}`);
  return { object, count, fields, where, limit };
}

function parseClause(p: Parser, object: ObjectMeta): Clause {
  const t = p.peek();
  if (!(t?.kind === 'punct' && t.text === '(')) return parseCondition(p, object);
  p.next();
  const clauses = [parseClause(p, object)];
  let group: 'AND' | 'OR' | null = null;
  for (;;) {
    const connective = p.keyword('AND') ? 'AND' : p.keyword('OR') ? 'OR' : null;
    if (!connective) break;
    if (group && group !== connective) throw malformed('unexpected token: mixed AND and OR need parentheses');
    group = connective;
    clauses.push(parseClause(p, object));
  }
  p.expectPunct(')');
  return { group: group ?? 'AND', clauses };
}

function satisfies(record: FakeRecord, clause: Clause): boolean {
  if ('group' in clause) return clause.group === 'AND' ? clause.clauses.every((c) => satisfies(record, c)) : clause.clauses.some((c) => satisfies(record, c));
  return matches(record, clause);
}

function parseCondition(p: Parser, object: ObjectMeta): Condition {
  const field = resolveField(object, p.word());
  if (!field.filterable) throw new SoqlError('INVALID_FIELD', `field '${field.name}' can not be filtered in a query call`);
  const t = p.next();
  let op: string;
  if (t.kind === 'op') op = t.text === '<>' ? '!=' : t.text;
  else if (t.kind === 'word' && /^(LIKE|INCLUDES|EXCLUDES|IN)$/i.test(t.text)) op = t.text.toUpperCase();
  else throw malformed(`expected an operator after ${field.name}`);
  if (op === 'INCLUDES' || op === 'EXCLUDES') {
    if (field.type !== 'multipicklist') throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `${op} can only be used with multi-select picklists`);
    p.expectPunct('(');
    const values: Literal[] = [];
    do {
      const v = p.next();
      if (v.kind !== 'literal' || v.value.kind !== 'string') throw malformed(`${op} takes quoted values`);
      values.push(v.value);
      if (p.peek()?.kind === 'punct' && (p.peek() as { text: string }).text === ',') p.next();
      else break;
    } while (true);
    p.expectPunct(')');
    return { field, op, values };
  }
  if (op === 'IN') {
    // `Email IN ('a', 'b')`: what matching by an identifier sends, up to 200 values at a time.
    p.expectPunct('(');
    const values: Literal[] = [];
    for (;;) {
      const v = p.next();
      if (v.kind !== 'literal' || v.value.kind === 'null') throw malformed('IN takes a list of values');
      checkLiteralType(field, v.value);
      if (v.value.kind === 'string') decodeString(v.value.raw);
      values.push(v.value);
      const after = p.next();
      if (after.kind === 'punct' && after.text === ')') break;
      if (after.kind !== 'punct' || after.text !== ',') throw malformed('expected , or ) in the IN list');
    }
    return { field, op, values };
  }
  const v = p.next();
  if (v.kind !== 'literal') throw malformed(`expected a value after ${field.name} ${op}`);
  if (op === 'LIKE') {
    if (!['string', 'email', 'phone', 'url', 'textarea', 'picklist'].includes(field.type) || v.value.kind !== 'string') {
      throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `invalid operator on ${field.type} field '${field.name}': LIKE`);
    }
  } else {
    checkLiteralType(field, v.value);
    if (v.value.kind === 'null' && op !== '=' && op !== '!=') throw malformed('null can only be compared with = or !=');
    if (v.value.kind === 'string') decodeString(v.value.raw);
  }
  return { field, op, values: [v.value] };
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function literalValue(field: DescribeField, lit: Literal): string | number | boolean | null {
  switch (lit.kind) {
    case 'string':
      return decodeString(lit.raw);
    case 'number':
    case 'boolean':
    case 'date':
    case 'datetime':
      return lit.value;
    case 'null':
      return null;
  }
}

function matches(record: FakeRecord, c: Condition): boolean {
  const raw = record[c.field.name] ?? null;
  const lit = c.values[0] as Literal;
  if (c.op === 'INCLUDES' || c.op === 'EXCLUDES') {
    const have = new Set(typeof raw === 'string' ? raw.split(';').map((v) => v.toLowerCase()) : []);
    const any = c.values.some((v) => v.kind === 'string' && have.has(decodeString(v.raw).toLowerCase()));
    return c.op === 'INCLUDES' ? any : raw !== null && !any;
  }
  if (c.op === 'LIKE') return typeof raw === 'string' && lit.kind === 'string' && likeRegex(lit.raw).test(raw);
  if (c.op === 'IN') return c.values.some((value) => matches(record, { field: c.field, op: '=', values: [value] }));
  const want = literalValue(c.field, lit);
  if (want === null) return c.op === '=' ? raw === null : raw !== null;
  if (raw === null) return c.op === '!=';
  let have: string | number | boolean = raw;
  let target: string | number | boolean = want;
  if (c.field.type === 'datetime' && typeof raw === 'string') have = Date.parse(raw.replace(/\+0000$/, 'Z'));
  if (typeof have === 'boolean' || typeof target === 'boolean') {
    if (c.op === '=') return have === target;
    if (c.op === '!=') return have !== target;
    return false;
  }
  const d = compare(have, target as string | number);
  switch (c.op) {
    case '=':
      return d === 0;
    case '!=':
      return d !== 0;
    case '<':
      return d < 0;
    case '>':
      return d > 0;
    case '<=':
      return d <= 0;
    case '>=':
      return d >= 0;
  }
  return false;
}

export function runQuery(q: ParsedQuery, records: readonly FakeRecord[]): FakeRecord[] {
  const hits = records.filter((r) => q.where.every((c) => satisfies(r, c)));
  return q.limit === null ? hits : hits.slice(0, q.limit);
}

/**
 * Fields Salesforce keeps an index on (its "standard indexed fields"): Id, Name, lookups (OwnerId and other
 * references), Email of contacts and leads, external ids and unique fields.
 */
export function isIndexed(object: ObjectMeta, field: DescribeField): boolean {
  return (
    field.type === 'id' ||
    field.name === 'Name' ||
    field.type === 'reference' ||
    field.externalId ||
    field.unique ||
    (field.type === 'email' && (object.name === 'Contact' || object.name === 'Lead'))
  );
}

/** What `runQuery` needs of an object's index (test/servers/rowIndex.ts). */
export type CandidateIndex = { candidates(column: string, values: Iterable<unknown>): FakeRecord[] };

/**
 * The records an indexed condition of the WHERE clause allows (`Email IN (…)`, `Id = '…'` — text literals on an
 * indexed field, ANDed with the rest), in table order; null when no condition can use an index and the query scans.
 * The caller still runs the whole query over them, so the answer is exactly a scan's.
 */
export function indexedCandidates(q: ParsedQuery, index: CandidateIndex): FakeRecord[] | null {
  for (const clause of q.where) {
    if ('group' in clause || (clause.op !== '=' && clause.op !== 'IN') || !isIndexed(q.object, clause.field)) continue;
    if (!clause.values.every((v) => v.kind === 'string')) continue;
    return index.candidates(
      clause.field.name,
      clause.values.map((v) => literalValue(clause.field, v)),
    );
  }
  return null;
}
