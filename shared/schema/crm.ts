import { z } from 'zod';
import { isTimeZone } from '../crm/dayRange.ts';

export const CrmKind = z.enum(['salesforce', 'dynamics']);
export type CrmKind = z.infer<typeof CrmKind>;

/** What a CRM table is imported as on our side. Contacts and leads are both "leads"; accounts are "companies". */
export const CrmObjectRole = z.enum(['lead', 'company', 'custom']);

export const CrmObject = z.object({
  /** API name: "Contact", "Lead", "Account", "Invoice__c"; Dataverse logical name: "contact". */
  name: z.string(),
  label: z.string(),
  role: CrmObjectRole,
  custom: z.boolean(),
});
export type CrmObject = z.infer<typeof CrmObject>;

export const CrmField = z.object({
  name: z.string(),
  label: z.string(),
  /** Vendor type, lowercased: "string", "email", "phone", "picklist", "reference", "datetime", … */
  type: z.string(),
  /** Choice / picklist values with their labels; rows carry labels, not codes. */
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  /** Set on parts of a compound field (BillingStreet → "BillingAddress"); compounds themselves are not offered. */
  compoundOf: z.string().optional(),
  filterable: z.boolean(),
  /**
   * What writing back needs (issue 11), from the live describe: Salesforce createable / updateable, required on
   * create = createable && !nillable && !defaultedOnCreate; Dataverse IsValidForCreate / IsValidForUpdate, required
   * = RequiredLevel SystemRequired or ApplicationRequired (owner and status columns excepted: Dataverse fills them).
   * Optional only so describes cached before these existed still parse; both connectors always set them.
   */
  createable: z.boolean().optional(),
  updateable: z.boolean().optional(),
  requiredOnCreate: z.boolean().optional(),
  /** Longest text the CRM accepts (characters); null when it does not say or the type has no length. */
  maxLength: z.number().int().nullable().optional(),
  /** A free-text property (Salesforce string / textarea, Dataverse text / multiline text): what campaign metrics may go to. */
  text: z.boolean().optional(),
});
export type CrmField = z.infer<typeof CrmField>;

export const FilterOperator = z.enum(['equals', 'not_equals', 'contains', 'starts_with', 'greater_than', 'less_than', 'is_empty', 'is_not_empty']);
export type FilterOperator = z.infer<typeof FilterOperator>;

/** One condition; connectors turn a list of them (ANDed) into SOQL / OData with escaped values, never by concatenating raw input. */
export const CrmFilter = z.object({
  field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'not a field name'),
  operator: FilterOperator,
  value: z.string().max(1000).default(''),
  /**
   * The user's IANA time zone ("Europe/Berlin"; the browser's Intl.DateTimeFormat().resolvedOptions().timeZone).
   * A day (YYYY-MM-DD) on a date-and-time field means that whole day there: "is on" = from its midnight to the
   * next, "after" = from the next midnight, "before" = before its midnight. UTC when absent.
   */
  timeZone: z.string().max(64).refine(isTimeZone, 'not a time zone (use an IANA name such as Europe/Berlin)').optional(),
});
export type CrmFilter = z.infer<typeof CrmFilter>;

/** One page of records: values already flattened to strings (labels for choices, names for lookups). */
export const CrmRecordPage = z.object({
  records: z.array(z.record(z.string(), z.string().nullable())),
  /** Opaque: pass back to get the next page; null at the end. */
  nextCursor: z.string().nullable(),
  total: z.number().int().nullable(),
});
export type CrmRecordPage = z.infer<typeof CrmRecordPage>;

export const CrmConnectionStatus = z.enum(['connected', 'needs_reauth']);
export const CrmConnection = z.object({
  id: z.string(),
  kind: CrmKind,
  /** Org / environment name and URL as the CRM reports them. */
  orgName: z.string().nullable(),
  instanceUrl: z.string(),
  userName: z.string().nullable(),
  status: CrmConnectionStatus,
  lastImportAt: z.string().nullable(),
  createdAt: z.string(),
  /** Set while the integration is disabled: nothing is pulled from it and its syncs do not run. */
  disabledAt: z.string().nullable(),
  /** Set when its access was removed (token revoked at the CRM, stored tokens dropped): a new sign-in gives it back. */
  accessRemovedAt: z.string().nullable(),
});
export type CrmConnection = z.infer<typeof CrmConnection>;

/** What a saved CRM import remembers, so it can be re-run with one click and its attributes edited later. */
export const CrmImportConfig = z.object({
  id: z.string(),
  connectionId: z.string(),
  object: z.string(),
  attributes: z.array(z.string()).min(1).max(500),
  filters: z.array(CrmFilter).max(20),
  templateId: z.string().nullable(),
  updatedAt: z.string(),
});
export type CrmImportConfig = z.infer<typeof CrmImportConfig>;

/**
 * `details` of a CRM error answer (codes crm_*): the vendor's own code and text for support, and who refused:
 * `crm` (the CRM answered no; say "<CRM> refused the request: <message> (<vendorCode>)") or `app` (our own check
 * of the selection before asking the CRM, e.g. an unknown field or a filter value of the wrong type; show the
 * message as it is). `message` never repeats the vendor's name or code.
 */
export const CrmErrorDetails = z.object({
  vendorCode: z.string().nullable(),
  vendorMessage: z.string().nullable(),
  source: z.enum(['crm', 'app']),
});
export type CrmErrorDetails = z.infer<typeof CrmErrorDetails>;
