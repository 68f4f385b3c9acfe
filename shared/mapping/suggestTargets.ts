import { normalizeEmail, normalizePhone } from '../normalize/normalizeValue.ts';
import { BUILT_IN_FIELDS } from '../fields/builtInFields.ts';
import type { Field, FieldType } from '../schema/fields.ts';
import { HEADER_SYNONYMS } from './headerSynonyms.ts';

export type TargetSuggestion = {
  /** Field key. */
  target: string;
  confidence: 'high' | 'medium';
  /** Why, in words the user can check: `"Correo" is a common name for Email`. */
  reason: string;
};

export type SuggestOptions = {
  /** Country for reading phone numbers without a prefix in the sample values. */
  defaultCountry?: string;
  /** Per column, whether its source says it holds record ids (a CRM field of an id type, see isCrmIdType). */
  idColumns?: readonly boolean[];
};

/** CRM field types whose values are record ids: Salesforce `id` and `reference` (raw 18-character ids), Dataverse
 * `uniqueidentifier` (GUIDs). Dataverse lookups are pulled as the record's name, so they are not ids here. */
const CRM_ID_TYPES = new Set(['id', 'reference', 'uniqueidentifier']);

export function isCrmIdType(crmType: string): boolean {
  return CRM_ID_TYPES.has(crmType.toLowerCase());
}

const ID_NAME_WORDS = new Set(['id', 'ids', 'identifier', 'guid', 'uuid']);

/** A field that holds ids: Customer ID, or one whose label or key ends in an id word ("Member ID", "crm_guid"). */
export function isIdField(field: Field): boolean {
  if (field.key === 'customer_id') return true;
  const last = (text: string) => headerWords(text).tokens.at(-1) ?? '';
  return ID_NAME_WORDS.has(last(field.label)) || ID_NAME_WORDS.has(last(field.key));
}

/** "Account ID", "Owner Id", "ContactGUID": a header naming an id of something, whatever else it mentions. */
function headerNamesAnId(words: Words): boolean {
  return ID_NAME_WORDS.has(words.tokens.at(-1) ?? '') || /(guid|uuid)$/.test(words.compact);
}

type Words = { tokens: string[]; compact: string; starts: Set<number>; ends: Set<number> };

/** Header or name → words: accents stripped, camelCase split, anything but letters and digits a separator. */
export function headerWords(text: string): Words {
  const tokens = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const starts = new Set<number>();
  const ends = new Set<number>();
  let at = 0;
  for (const t of tokens) {
    starts.add(at);
    at += t.length;
    ends.add(at);
  }
  // "e-mail" and "email", "Cell Phone" and "Cellphone" are the same word here.
  return { tokens, compact: tokens.join(''), starts, ends };
}

type Name = { compact: string; text: string; score: number; kind: 'label' | 'synonym' };
type Candidate = { column: number; target: string; score: number; reason: string };

const HIGH = 90;
const MIN_SCORE = 50;
/** Non-empty values looked at per column: enough for a share, cheap for 500 columns (phones parse at ~100k/s). */
const SAMPLE_LIMIT = 100;

/** The names a field goes by, scored by how sure a whole-header match makes us. */
function fieldNames(field: Field): Name[] {
  const names: Name[] = [
    { compact: headerWords(field.label).compact, text: field.label, score: 100, kind: 'label' },
    { compact: headerWords(field.key).compact, text: field.key, score: 100, kind: 'label' },
  ];
  const synonyms = field.builtIn ? HEADER_SYNONYMS[field.key] : undefined;
  for (const text of synonyms?.strong ?? []) names.push({ compact: headerWords(text).compact, text, score: 95, kind: 'synonym' });
  for (const text of synonyms?.weak ?? []) names.push({ compact: headerWords(text).compact, text, score: 75, kind: 'synonym' });
  return names.filter((n) => n.compact.length > 0);
}

/** Whether `phrase` occurs in the header as whole words ("contact e-mail" holds "email"; "emailing" does not). */
function containsWords(header: Words, phrase: string): boolean {
  for (let at = header.compact.indexOf(phrase); at !== -1; at = header.compact.indexOf(phrase, at + 1)) {
    if (header.starts.has(at) && header.ends.has(at + phrase.length)) return true;
  }
  return false;
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b: catches "Compnay" and "Frist name". */
function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/** Typos allowed for a name: none below 5 letters (too many short words are one edit apart), 1, or 2 from 9. */
const allowedTypos = (length: number) => (length < 5 ? 0 : length < 9 ? 1 : 2);

/** Best header-based candidate for one field, or null. */
function headerCandidate(header: string, words: Words, field: Field, names: Name[]): Omit<Candidate, 'column'> | null {
  if (!words.compact) return null;
  let best: Omit<Candidate, 'column'> | null = null;
  const consider = (score: number, reason: string) => {
    if (!best || score > best.score) best = { target: field.key, score, reason };
  };
  for (const name of names) {
    if (words.compact === name.compact || words.compact === `${name.compact}s`) {
      consider(
        name.score,
        name.kind === 'label' ? `header matches the field "${field.label}"` : `"${header.trim()}" is a common name for ${field.label}`,
      );
    } else if (name.compact.length >= 3 && containsWords(words, name.compact)) {
      // A longer matching phrase leaves less of the header unexplained: "Work email" beats "email" in "Work email address".
      const coverage = name.compact.length / words.compact.length;
      consider(Math.min(name.score, 55 + 30 * coverage), `header contains "${name.text}"`);
    }
  }
  if (!best) {
    for (const name of names) {
      const allowed = allowedTypos(Math.min(name.compact.length, words.compact.length));
      if (allowed === 0 || Math.abs(name.compact.length - words.compact.length) > allowed) continue;
      const typos = editDistance(words.compact, name.compact);
      if (typos <= allowed) consider(Math.min(name.score - 25, 70 - 10 * typos), `header looks like a misspelling of "${name.text}"`);
    }
  }
  return best;
}

const DATE_LIKE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;

/** Formatted like a phone number (a prefix or separators), so plain numeric IDs and dates don't pass. */
function looksLikePhone(value: string, defaultCountry: string): boolean {
  if (!/^[+(]?[\d\s().\-/]+$/.test(value) || DATE_LIKE.test(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  if (!/^(\+|00|\(?0)/.test(value) && !/\d[\s().\-/]+\d/.test(value)) return false;
  return normalizePhone(value, defaultCountry).ok;
}

/** Cheap pre-check before libphonenumber: too few digits, or letters, and it is no phone number. */
function couldBePhone(value: string): boolean {
  const digits = value.replace(/\D/g, '').length;
  return digits >= 6 && digits <= 17 && !/[a-z]{3}/i.test(value.replace(/^tel:|ext\.?/gi, ''));
}

type ValueStats = { values: string[]; emails: number; phones: number };

function valueStats(sampleRows: readonly (readonly string[])[], column: number, defaultCountry: string): ValueStats {
  const stats: ValueStats = { values: [], emails: 0, phones: 0 };
  for (const row of sampleRows) {
    if (stats.values.length >= SAMPLE_LIMIT) break;
    const value = (row[column] ?? '').trim();
    if (!value) continue;
    stats.values.push(value);
    if (normalizeEmail(value).ok) stats.emails++;
    else if (looksLikePhone(value, defaultCountry)) stats.phones++;
  }
  return stats;
}

const share = (n: number, of: number) => (of === 0 ? 0 : n / of);

/** Values that plainly are not of the field's type overrule a header that merely mentions it ("Email opt-in"). */
function contradicted(type: FieldType, stats: ValueStats, defaultCountry: string): boolean {
  const n = stats.values.length;
  if (n < 3) return false;
  if (type === 'email') return share(stats.emails, n) < 0.5;
  // Any readable number counts here, formatted or not: only a header naming a phone field pays for this check.
  if (type === 'phone') return share(stats.values.filter((v) => couldBePhone(v) && normalizePhone(v, defaultCountry).ok).length, n) < 0.5;
  return share(stats.emails, n) >= 0.8;
}

function describeShare(n: number, of: number, what: string): string {
  return `${n} of ${of} sample values ${what}`;
}

/**
 * One suggestion per column (or null): which field it most likely holds, from its header name (in several
 * languages, typos forgiven) and from its sample values (email addresses, phone numbers). Each field is suggested
 * for one column at most: the best-scoring pair wins, then the next best among what is left.
 */
export function suggestTargets(
  headers: readonly string[],
  sampleRows: readonly (readonly string[])[],
  fields: readonly Field[],
  options: SuggestOptions = {},
): (TargetSuggestion | null)[] {
  const defaultCountry = options.defaultCountry ?? 'US';
  const named = fields.map((field) => ({ field, names: fieldNames(field) }));
  const emailField = fields.find((f) => f.key === 'email') ?? fields.find((f) => f.type === 'email');
  const phoneFields = [fields.find((f) => f.key === 'mobile'), fields.find((f) => f.key === 'phone')].filter((f): f is Field => f !== undefined);
  const candidates: Candidate[] = [];

  headers.forEach((header, column) => {
    const words = headerWords(header);
    // An id column ("Account ID" holds the account's id, not its name) is only ever suggested for an id field:
    // from its CRM type, nothing else is considered; from its header, header matches to other fields are not.
    const crmId = options.idColumns?.[column] === true;
    const namesAnId = crmId || headerNamesAnId(words);
    const stats = valueStats(sampleRows, column, defaultCountry);
    const sampled = stats.values.length;
    const emailShare = share(stats.emails, sampled);
    const phoneShare = share(stats.phones, sampled);
    const valuesSay = (type: FieldType) => (type === 'email' ? emailShare >= 0.8 : type === 'phone' ? phoneShare >= 0.8 : false);

    for (const { field, names } of named) {
      if (namesAnId && !isIdField(field)) continue;
      const found = headerCandidate(header, words, field, names);
      if (!found) continue;
      if (contradicted(field.type, stats, defaultCountry)) {
        // A header that names the field outright keeps a (medium) suggestion; one that merely mentions it does not.
        if (found.score < 95) continue;
        candidates.push({ column, ...found, score: 80, reason: `${found.reason}, but its sample values ${field.type === 'email' ? 'do not look like email addresses' : field.type === 'phone' ? 'do not look like phone numbers' : 'are email addresses'}` });
      } else if (valuesSay(field.type)) {
        const what = field.type === 'email' ? 'are email addresses' : 'look like phone numbers';
        candidates.push({ column, ...found, score: Math.min(100, found.score + 10), reason: `${found.reason}; ${describeShare(field.type === 'email' ? stats.emails : stats.phones, sampled, what)}` });
      } else {
        candidates.push({ column, ...found });
      }
    }

    if (crmId) return;
    if (emailField && emailShare >= 0.8) {
      candidates.push({ column, target: emailField.key, score: emailShare >= 0.95 ? 90 : 80, reason: describeShare(stats.emails, sampled, 'are email addresses') });
    }
    if (phoneShare >= 0.8) {
      phoneFields.forEach((f, rank) => {
        candidates.push({ column, target: f.key, score: 75 - 5 * rank, reason: describeShare(stats.phones, sampled, 'look like phone numbers') });
      });
    }
  });

  candidates.sort((a, b) => b.score - a.score || a.column - b.column);
  const result: (TargetSuggestion | null)[] = headers.map(() => null);
  const taken = new Set<string>();
  for (const c of candidates) {
    if (c.score < MIN_SCORE || result[c.column] || taken.has(c.target)) continue;
    result[c.column] = { target: c.target, confidence: c.score >= HIGH ? 'high' : 'medium', reason: c.reason };
    taken.add(c.target);
  }
  return result;
}

/** Identifier preference: the most stable way to recognise the same person across imports first. */
const IDENTIFIER_TARGETS = ['email', 'customer_id', 'professional_email', 'mobile'];
const BUILT_IN_KEYS = new Set(BUILT_IN_FIELDS.map((f) => f.key));
const ID_WORDS = new Set(['id', 'identifier', 'number', 'no', 'nr', 'code', 'key', 'nummer', 'numero']);

/**
 * The column to propose as the unique identifier: email, else customer id, else professional email, else mobile;
 * failing those, a column mapped to a custom field whose header reads like an identifier ("Member ID", "Loyalty
 * number"). Null when nothing fits: the user must choose.
 */
export function suggestIdentifier(headers: readonly string[], suggestions: readonly (TargetSuggestion | null)[]): number | null {
  for (const target of IDENTIFIER_TARGETS) {
    const column = suggestions.findIndex((s) => s?.target === target);
    if (column >= 0) return column;
  }
  const column = headers.findIndex((h, i) => {
    const s = suggestions[i];
    return s != null && !BUILT_IN_KEYS.has(s.target) && headerWords(h).tokens.some((t) => ID_WORDS.has(t));
  });
  return column >= 0 ? column : null;
}
