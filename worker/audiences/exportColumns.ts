import { hashInput } from '../../shared/normalize/normalizeValue.ts';
import { SealedValueError } from '../../shared/privacy/openSealedValues.ts';
import type { Field, FieldType } from '../../shared/schema/fields.ts';
import { DomainError } from '../domainError.ts';
import type { ImportPlan } from '../imports/importPlan.ts';

/** One column of an audience export: a field, plain or — when it was ever imported as sensitive — hashed. */
export type ExportColumn = { key: string; header: string; type: FieldType; hashed: boolean };

/**
 * A stored member as the export reads it: plain attributes, and where each sealed sensitive value is (`S`: a
 * SealedRef in the Worker, whatever `openAll` opens).
 */
export type StoredMember<S = string> = { id?: number; attributes: Record<string, string>; sealed: ReadonlyMap<string, S> | Record<string, S> };

function sealedOf<S>(m: StoredMember<S>, field: string): S | undefined {
  return m.sealed instanceof Map ? m.sealed.get(field) : (m.sealed as Record<string, S>)[field];
}

/** The error of a stored value that does not open, naming the member and the field (never the value). */
export function unreadableValue(memberId: number | undefined, field: string, reason: string): DomainError {
  return new DomainError(
    'sealed_value_unreadable',
    `The stored value of field "${field}" of member ${memberId ?? '?'} does not open (${reason}): it was altered or sealed under another key.`,
    { memberId: memberId === undefined ? null : String(memberId), field },
  );
}

/**
 * The audience's columns, in the order its imports (oldest first) mapped them. A field any import marked
 * sensitive is exported hashed for every member, also where an import stored it plain: the column either
 * holds hashes or values, never a mix that leaks some. Pure.
 */
export function exportColumns(plans: readonly ImportPlan[], fields: readonly Field[]): ExportColumn[] {
  const labels = new Map(fields.map((f) => [f.key, f.label]));
  const byKey = new Map<string, ExportColumn>();
  for (const plan of plans) {
    for (const c of plan.columns) {
      const known = byKey.get(c.target);
      if (known) known.hashed ||= c.sensitive;
      else byKey.set(c.target, { key: c.target, header: labels.get(c.target) ?? c.target, type: c.type, hashed: c.sensitive });
    }
  }
  return [...byKey.values()].map((c) => (c.hashed ? { ...c, header: `${c.header} (SHA-256)` } : c));
}

/**
 * A page of members as cell arrays for `columns`. A sensitive value is opened from its sealed form and hashed from
 * its hash input here, at export time — stored hashes are for matching and may become keyed, so they are not what
 * an ad platform expects. `openAll` decrypts and `sha256All` hashes, each once for the whole page (per-value
 * calls cost several times more in workerd); both are passed in so this stays free of I/O.
 */
export async function exportCells<S>(
  members: readonly StoredMember<S>[],
  columns: readonly ExportColumn[],
  openAll: (sealed: readonly S[]) => Promise<string[]>,
  sha256All: (texts: readonly string[]) => Promise<string[]>,
): Promise<string[][]> {
  const sealed: S[] = [];
  const places: { member: StoredMember<S>; field: string }[] = [];
  for (const m of members) {
    for (const c of columns) {
      const at = sealedOf(m, c.key);
      if (at === undefined) continue;
      sealed.push(at);
      places.push({ member: m, field: c.key });
    }
  }
  const opened = await openAll(sealed).catch((e: unknown) => {
    if (!(e instanceof SealedValueError)) throw e;
    const place = places[e.index];
    throw unreadableValue(place?.member.id, place?.field ?? '?', e.reason);
  });
  let nextOpened = 0;
  const cells = members.map((m) =>
    columns.map((c) => (sealedOf(m, c.key) !== undefined ? (opened[nextOpened++] ?? '') : (m.attributes[c.key] ?? ''))),
  );
  const inputs: string[] = [];
  for (const row of cells) columns.forEach((c, i) => c.hashed && row[i] !== '' && inputs.push(hashInput(c.type, row[i] as string)));
  const hashed = await sha256All(inputs);
  let nextHash = 0;
  for (const row of cells) columns.forEach((c, i) => c.hashed && row[i] !== '' && (row[i] = hashed[nextHash++] ?? ''));
  return cells;
}

/** Google Customer Match's upload file: these headers, the first four hashed, country and zip plain. */
export const CUSTOMER_MATCH_HEADERS = ['Email', 'Phone', 'First Name', 'Last Name', 'Country', 'Zip'] as const;

const CUSTOMER_MATCH_SOURCES: readonly { types: readonly FieldType[]; keys?: readonly string[]; hashed: boolean }[] = [
  { types: ['email'], hashed: true },
  { types: ['phone'], hashed: true },
  { types: ['first_name'], hashed: true },
  { types: ['last_name'], hashed: true },
  { types: ['country'], hashed: false },
  { types: ['text'], keys: ['postal_code', 'zip', 'zip_code'], hashed: false },
];

/**
 * Which audience field feeds each Customer Match column: the first field of the right type (for Zip: a postal
 * code field). A Customer Match column is hashed whatever the field's sensitivity, as Google requires. Pure.
 */
export function customerMatchColumns(columns: readonly ExportColumn[]): (ExportColumn | null)[] {
  return CUSTOMER_MATCH_SOURCES.map((source, i) => {
    const found = columns.find((c) => source.types.includes(c.type) && (!source.keys || source.keys.includes(c.key)));
    return found ? { ...found, header: CUSTOMER_MATCH_HEADERS[i] ?? found.header, hashed: source.hashed } : null;
  });
}
