import { z } from 'zod';
import type { CrmField, CrmObject } from '../../../shared/schema/crm.ts';

/** A localized label as Dataverse metadata carries it; UserLocalizedLabel is null when the table has no label in the user's language. */
export const DataverseLabel = z
  .object({
    UserLocalizedLabel: z.object({ Label: z.string() }).nullish(),
    LocalizedLabels: z.array(z.object({ Label: z.string() })).optional(),
  })
  .nullable();
export type DataverseLabel = z.infer<typeof DataverseLabel>;

export const EntityDefinition = z.object({
  LogicalName: z.string(),
  DisplayName: DataverseLabel.optional(),
  EntitySetName: z.string().nullable(),
  IsCustomEntity: z.boolean(),
  PrimaryIdAttribute: z.string(),
});
export type EntityDefinition = z.infer<typeof EntityDefinition>;

export const AttributeDefinition = z.object({
  LogicalName: z.string(),
  DisplayName: DataverseLabel.optional(),
  AttributeType: z.string(),
  AttributeTypeName: z.object({ Value: z.string() }).nullish(),
  IsValidForRead: z.boolean().nullish(),
  AttributeOf: z.string().nullish(),
  IsValidForCreate: z.boolean().nullish(),
  IsValidForUpdate: z.boolean().nullish(),
  /** None, SystemRequired, ApplicationRequired (business required), Recommended. */
  RequiredLevel: z.object({ Value: z.string() }).nullish(),
});
export type AttributeDefinition = z.infer<typeof AttributeDefinition>;

export const PicklistDefinition = z.object({
  LogicalName: z.string(),
  OptionSet: z.object({ Options: z.array(z.object({ Value: z.number(), Label: DataverseLabel })) }).nullish(),
});
export type PicklistDefinition = z.infer<typeof PicklistDefinition>;

export const StringFormatDefinition = z.object({
  LogicalName: z.string(),
  FormatName: z.object({ Value: z.string() }).nullish(),
  MaxLength: z.number().int().nullish(),
});
export type StringFormatDefinition = z.infer<typeof StringFormatDefinition>;

/** An OData collection of one kind of item. */
export const collectionOf = <T extends z.ZodType>(item: T) => z.object({ value: z.array(item) });

/** The tables marketers import from first, and what each one becomes on our side. */
const STANDARD_ROLES: Record<string, CrmObject['role']> = { contact: 'lead', lead: 'lead', account: 'company' };
const STANDARD_ORDER = ['contact', 'lead', 'account'];

export function labelOf(label: DataverseLabel | undefined, fallback: string): string {
  return label?.UserLocalizedLabel?.Label || label?.LocalizedLabels?.[0]?.Label || fallback;
}

/** Contacts, leads and accounts first, then custom tables by label; system tables are not offered. */
export function toCrmObjects(definitions: readonly EntityDefinition[]): CrmObject[] {
  const offered = definitions.filter((d) => d.EntitySetName && (d.LogicalName in STANDARD_ROLES || d.IsCustomEntity));
  const standard = STANDARD_ORDER.flatMap((name) => offered.filter((d) => d.LogicalName === name));
  const custom = offered
    .filter((d) => !(d.LogicalName in STANDARD_ROLES))
    .sort((a, b) => labelOf(a.DisplayName, a.LogicalName).localeCompare(labelOf(b.DisplayName, b.LogicalName)));
  return [...standard, ...custom].map((d) => ({
    name: d.LogicalName,
    label: labelOf(d.DisplayName, d.LogicalName),
    role: STANDARD_ROLES[d.LogicalName] ?? 'custom',
    custom: d.IsCustomEntity,
  }));
}

const TYPE_NAMES: Record<string, string> = {
  String: 'string',
  Memo: 'memo',
  Picklist: 'picklist',
  State: 'state',
  Status: 'status',
  Boolean: 'boolean',
  Lookup: 'lookup',
  Customer: 'customer',
  Owner: 'owner',
  DateTime: 'datetime',
  Integer: 'integer',
  BigInt: 'bigint',
  Decimal: 'decimal',
  Double: 'double',
  Money: 'money',
  Uniqueidentifier: 'uniqueidentifier',
};
const STRING_FORMATS: Record<string, string> = { Email: 'email', Phone: 'phone', Url: 'url' };
const NOT_FILTERABLE = new Set(['multiselectpicklist']);
const TEXT_TYPES = new Set(['string', 'memo']);
const REQUIRED_LEVELS = new Set(['SystemRequired', 'ApplicationRequired']);
// Required, but Dataverse fills them on create: the owner is the caller, status columns start at their default,
// the primary key is generated.
const FILLED_BY_DATAVERSE = new Set(['owner', 'state', 'status', 'uniqueidentifier']);

/** What writing needs (issue 11), from IsValidForCreate / IsValidForUpdate / RequiredLevel and the text length. */
function writeProperties(attribute: AttributeDefinition, type: string, maxLength: number | null | undefined): Pick<CrmField, 'createable' | 'updateable' | 'requiredOnCreate' | 'maxLength' | 'text'> {
  const createable = attribute.IsValidForCreate ?? false;
  return {
    createable,
    updateable: attribute.IsValidForUpdate ?? false,
    requiredOnCreate: createable && REQUIRED_LEVELS.has(attribute.RequiredLevel?.Value ?? 'None') && !FILLED_BY_DATAVERSE.has(type),
    maxLength: maxLength ?? null,
    text: TEXT_TYPES.has(type),
  };
}

/** Lowercased type as CrmField carries it, or null for columns that hold no importable value (images, party lists, helpers). */
export function fieldType(attribute: AttributeDefinition, format: string | undefined): string | null {
  if (attribute.AttributeType === 'Virtual') {
    return attribute.AttributeTypeName?.Value === 'MultiSelectPicklistType' ? 'multiselectpicklist' : null;
  }
  const type = TYPE_NAMES[attribute.AttributeType];
  if (!type) return null;
  return type === 'string' && format ? (STRING_FORMATS[format] ?? type) : type;
}

/**
 * Attribute metadata → the columns offered for import. Helper attributes (AttributeOf set: `parentcustomeridname`),
 * unreadable ones and composite addresses are left out; address parts name their composite in `compoundOf`.
 */
export function toCrmFields(
  attributes: readonly AttributeDefinition[],
  picklists: readonly PicklistDefinition[] = [],
  stringFormats: readonly StringFormatDefinition[] = [],
): CrmField[] {
  const options = new Map(picklists.map((p) => [p.LogicalName, p.OptionSet?.Options ?? []]));
  const formats = new Map(stringFormats.map((s) => [s.LogicalName, s.FormatName?.Value]));
  const maxLengths = new Map(stringFormats.map((s) => [s.LogicalName, s.MaxLength]));
  const composites = new Set(attributes.filter((a) => a.LogicalName.endsWith('_composite')).map((a) => a.LogicalName));
  const fields: CrmField[] = [];
  for (const attribute of attributes) {
    if (attribute.IsValidForRead === false || attribute.AttributeOf) continue;
    if (composites.has(attribute.LogicalName)) continue;
    const type = fieldType(attribute, formats.get(attribute.LogicalName));
    if (!type) continue;
    const field: CrmField = {
      name: attribute.LogicalName,
      label: labelOf(attribute.DisplayName, attribute.LogicalName),
      type,
      filterable: !NOT_FILTERABLE.has(type),
      ...writeProperties(attribute, type, maxLengths.get(attribute.LogicalName)),
    };
    const choices = options.get(attribute.LogicalName);
    if (choices?.length) field.options = choices.map((o) => ({ value: String(o.Value), label: labelOf(o.Label, String(o.Value)) }));
    const prefix = /^(address\d+)_/.exec(attribute.LogicalName)?.[1];
    if (prefix && composites.has(`${prefix}_composite`)) field.compoundOf = `${prefix}_composite`;
    fields.push(field);
  }
  return fields.sort((a, b) => a.label.localeCompare(b.label));
}
