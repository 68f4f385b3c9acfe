import type { CrmField } from '../../../shared/schema/crm.ts';

/** The part of a describe field entry we read (sObject Describe, REST API Developer Guide). */
export type SalesforceDescribeField = {
  name: string;
  label: string;
  type: string;
  filterable?: boolean;
  compoundFieldName?: string | null;
  picklistValues?: readonly { value: string; label: string | null; active: boolean }[] | null;
  createable?: boolean;
  updateable?: boolean;
  nillable?: boolean;
  defaultedOnCreate?: boolean;
  /** Characters, for text types; 0 for the others. */
  length?: number;
};

export type DescribedObject = {
  /** What the user may pick, by API name: compound parents left out, their parts kept with `compoundOf`. */
  fields: Map<string, CrmField>;
  /** value → label of every picklist value (inactive ones too: old records still carry them). */
  picklistLabels: Map<string, Map<string, string>>;
};

// Binary blobs (attachments, images) are not audience data and would bloat every page of a pull.
const NOT_OFFERED = new Set(['base64']);

const PICKLIST_TYPES = new Set(['picklist', 'multipicklist', 'combobox']);
const TEXT_TYPES = new Set(['string', 'textarea']);

/**
 * What writing needs, as Salesforce's field properties say it: a field must be given on create when it is
 * createable, cannot be null and Salesforce supplies no default (Contact.LastName, Lead.Company; not OwnerId or
 * booleans, which are defaulted).
 */
function writeProperties(f: SalesforceDescribeField): Pick<CrmField, 'createable' | 'updateable' | 'requiredOnCreate' | 'maxLength' | 'text'> {
  const createable = f.createable ?? false;
  return {
    createable,
    updateable: f.updateable ?? false,
    requiredOnCreate: createable && f.nillable === false && f.defaultedOnCreate !== true,
    maxLength: f.length ? f.length : null,
    text: TEXT_TYPES.has(f.type.toLowerCase()),
  };
}

export function describeFields(fields: readonly SalesforceDescribeField[]): DescribedObject {
  // A compound (BillingAddress, a Contact's Name) is any field another field names as its compoundFieldName.
  const compounds = new Set(fields.map((f) => f.compoundFieldName).filter((n): n is string => !!n));
  const offered = new Map<string, CrmField>();
  const picklistLabels = new Map<string, Map<string, string>>();
  for (const f of fields) {
    const type = f.type.toLowerCase();
    if (compounds.has(f.name) || NOT_OFFERED.has(type) || type === 'address' || type === 'location') continue;
    const field: CrmField = { name: f.name, label: f.label, type, filterable: f.filterable ?? false, ...writeProperties(f) };
    if (f.compoundFieldName) field.compoundOf = f.compoundFieldName;
    if (PICKLIST_TYPES.has(type) && f.picklistValues) {
      field.options = f.picklistValues.filter((p) => p.active).map((p) => ({ value: p.value, label: p.label ?? p.value }));
      picklistLabels.set(f.name, new Map(f.picklistValues.map((p) => [p.value, p.label ?? p.value])));
    }
    offered.set(f.name, field);
  }
  return { fields: offered, picklistLabels };
}
