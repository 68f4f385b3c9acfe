import { z } from 'zod';
import { FieldKey } from './fields.ts';
import { WellFormedText } from './text.ts';

/**
 * The way back to the CRM (issue 11): how an integration writes audience members into Salesforce / Dynamics 365.
 * One definition shared by the settings pages, the Worker routes, the push engine and the scheduled pull.
 * Contract first drafted by the lead; the helpers building issue 11 refine it (keep one definition per concept).
 */

/** A CRM property (field) API name: "Email", "LeadSource", "emailaddress1", "engaged_by_platform__c". */
export const CrmProperty = z.string().min(1).max(100).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a CRM field name');
export type CrmProperty = z.infer<typeof CrmProperty>;

/**
 * Who wins for one mapped field. `to_crm`: we write it, pulls never change it here; `from_crm`: pulls bring it, pushes
 * never write it; `two_way`: both, and when both sides changed since the last exchange the side modified most recently
 * wins (ours: the member's updated_at; the CRM's LastModifiedDate / modifiedon), listed as a conflict in the report.
 */
export const FieldDirection = z.enum(['to_crm', 'from_crm', 'two_way']);
export type FieldDirection = z.infer<typeof FieldDirection>;

/** Contacts (people) go to the CRM as Contacts or as Leads: one or the other per integration. */
export const PeopleTarget = z.enum(['contact', 'lead']);
export type PeopleTarget = z.infer<typeof PeopleTarget>;

/** Matching an existing CRM record: tried in order, the first identifier that finds exactly one record wins. */
export const ExportIdentifier = z.object({ platformField: FieldKey, crmProperty: CrmProperty });
export type ExportIdentifier = z.infer<typeof ExportIdentifier>;

/** Platform field → CRM property. */
export const ExportFieldMapping = z.object({
  platformField: FieldKey,
  crmProperty: CrmProperty,
  direction: FieldDirection.default('to_crm'),
  /** false: a push fills the CRM property only while it is empty there; true: our value replaces theirs. */
  overwrite: z.boolean().default(true),
  /** Written when a push creates the record and the member has no value for this field. */
  defaultOnCreate: WellFormedText.max(1000).nullable().default(null),
});
export type ExportFieldMapping = z.infer<typeof ExportFieldMapping>;

/** Always written with the same value (LeadSource = Platform). */
export const FixedField = z.object({ crmProperty: CrmProperty, value: WellFormedText.max(1000) });
export type FixedField = z.infer<typeof FixedField>;

/** A CRM property whose value the user picks when they press "Sync to CRM" (e.g. a campaign name). */
export const ExportTimeField = z.object({ crmProperty: CrmProperty, label: WellFormedText.trim().min(1).max(200), required: z.boolean().default(false) });
export type ExportTimeField = z.infer<typeof ExportTimeField>;

/** Set to `value` only on members who took part in a campaign (engaged_by_platform = Yes). */
export const EngagementField = z.object({ crmProperty: CrmProperty, value: WellFormedText.max(1000) });
export type EngagementField = z.infer<typeof EngagementField>;

/** The seven campaign metrics a push can write, each only to a CRM text property. */
export const CampaignMetric = z.enum([
  'sequence_details',
  'engagement_status',
  'opens',
  'clicks',
  'open_analysis',
  'click_analysis',
  'reply_analysis',
]);
export type CampaignMetric = z.infer<typeof CampaignMetric>;

export const CampaignMapping = z.partialRecord(CampaignMetric, CrmProperty);
export type CampaignMapping = z.infer<typeof CampaignMapping>;

/** A platform user (by email) ↔ a CRM user id (Salesforce User.Id, Dataverse systemuserid). */
export const UserMapping = z.object({ platformUserEmail: z.email(), crmUserId: z.string().min(1).max(100) });
export type UserMapping = z.infer<typeof UserMapping>;

export const OwnerSettings = z.object({
  /** The platform field holding the member's owner (a platform user's email); null: the user who runs the push. */
  ownerField: FieldKey.nullable().default(null),
  users: z.array(UserMapping).max(1000).default([]),
  /** Used when no mapping matches; null: leave the CRM's own default (the integration user). */
  defaultOwnerId: z.string().min(1).max(100).nullable().default(null),
});
export type OwnerSettings = z.infer<typeof OwnerSettings>;

/** How members become CRM people records. */
export const PeopleExport = z.object({
  target: PeopleTarget,
  identifiers: z.array(ExportIdentifier).min(1, 'at least one field must identify an existing record').max(5),
  fields: z.array(ExportFieldMapping).max(500).default([]),
  fixed: z.array(FixedField).max(100).default([]),
  exportTime: z.array(ExportTimeField).max(20).default([]),
  engagement: z.array(EngagementField).max(20).default([]),
  campaign: CampaignMapping.default({}),
});
export type PeopleExport = z.infer<typeof PeopleExport>;

/** Companies are upserted as Accounts by the company identifier and linked to their people. */
export const CompanyExport = z.object({
  /** The platform field naming the member's company, matched to `identifier.crmProperty` of the Account. */
  identifier: ExportIdentifier,
  fields: z.array(ExportFieldMapping).max(200).default([]),
  fixed: z.array(FixedField).max(100).default([]),
});
export type CompanyExport = z.infer<typeof CompanyExport>;

/** The whole write-back configuration of one CRM connection. */
export const ExportSettings = z.object({
  people: PeopleExport,
  companies: CompanyExport.nullable().default(null),
  owners: OwnerSettings.default({ ownerField: null, users: [], defaultOwnerId: null }),
  /** Sensitive platform fields an admin allowed to be sent (decrypted only then); every change is recorded. */
  sensitiveAllowed: z.array(FieldKey).max(100).default([]),
});
export type ExportSettings = z.infer<typeof ExportSettings>;

/** One engagement event from the platform's campaign engine; `eventId` makes re-posting harmless. */
export const EngagementEvent = z.object({
  eventId: z.string().min(1).max(200),
  audienceId: z.string().min(1),
  /** The member's identifier value as it was imported (normalised and keyed by the Worker like any import). */
  memberIdentifier: WellFormedText.min(1).max(1000),
  campaign: WellFormedText.trim().min(1).max(200),
  sequence: WellFormedText.trim().min(1).max(200),
  step: z.number().int().min(0).max(1000),
  event: z.enum(['open', 'click', 'reply']),
  message: WellFormedText.max(2000).default(''),
  at: z.iso.datetime({ offset: true }),
});
export type EngagementEvent = z.infer<typeof EngagementEvent>;

export const EngagementBatch = z.object({ events: z.array(EngagementEvent).min(1).max(1000) });
export type EngagementBatch = z.infer<typeof EngagementBatch>;

/** What a push would do, or did, to one CRM record. */
export const PushAction = z.enum(['create', 'update', 'skip', 'conflict']);
export type PushAction = z.infer<typeof PushAction>;

/** Which members a push sends. */
export const PushScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('audience') }),
  /** The members a member search finds (the audience page's search box). */
  z.object({ kind: z.literal('selection'), search: WellFormedText.trim().min(1).max(200) }),
  z.object({ kind: z.literal('member'), memberId: z.number().int().positive() }),
  /** The members the audience page's field filter finds (a non-sensitive field equal to a value, as typed). */
  z.object({ kind: z.literal('filter'), field: FieldKey, value: WellFormedText.trim().min(1).max(200) }),
]);
export type PushScope = z.infer<typeof PushScope>;

export const PushRequest = z.object({
  connectionId: z.string().min(1),
  audienceId: z.string().min(1),
  scope: PushScope,
  /** Values for the integration's export-time fields, by CRM property. */
  exportTimeValues: z.record(CrmProperty, WellFormedText.max(1000)).default({}),
});
export type PushRequest = z.infer<typeof PushRequest>;

/**
 * One field of one record: what the CRM holds now and what it will hold after the push. For a lookup (the owner, the
 * company's Account) the values are record ids, as written; a preview adds the names of the records they point to
 * (`crmValueName`, `newValueName`: the owner's name, the Account's name) where the CRM has them, for people to read.
 */
export const FieldChange = z.object({
  crmProperty: CrmProperty,
  crmValue: z.string().nullable(),
  newValue: z.string().nullable(),
  crmValueName: z.string().optional(),
  newValueName: z.string().optional(),
});
export type FieldChange = z.infer<typeof FieldChange>;

/** A CRM user, for the user mapping (Salesforce User, Dataverse systemuser). */
export const CrmUser = z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), active: z.boolean() });
export type CrmUser = z.infer<typeof CrmUser>;

/** What `checkExportSettings` (shared/crmExport) can find wrong with settings; the Worker answers them in a 422. */
export const ExportProblemCode = z.enum([
  /** the CRM has no such property on that table */
  'unknown_property',
  /** the property exists but the integration cannot write it (on create, on update or both) */
  'not_writable',
  /** a link or id column (lookup, reference): not set from a value */
  'unsupported_type',
  /** a campaign metric sent to a property that is not free text */
  'metric_not_text',
  /** a fixed / default / engagement value the property does not accept (picklist choice, number, yes/no, date, length) */
  'invalid_value',
  /** a property the CRM requires on create that nothing fills */
  'required_not_covered',
  /** a platform field that does not exist in this workspace */
  'unknown_platform_field',
  /** a sensitive platform field sent without an admin allowing it */
  'sensitive_not_allowed',
  /** one CRM property written twice, or one platform user mapped twice */
  'duplicate',
  /** a CRM user id the CRM does not know (anymore) */
  'unknown_user',
]);
export type ExportProblemCode = z.infer<typeof ExportProblemCode>;

/** One problem, at the setting it concerns (`path` into ExportSettings, as zod paths: ["people", "fields", 2, "crmProperty"]). */
export const ExportProblem = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  code: ExportProblemCode,
  message: z.string(),
});
export type ExportProblem = z.infer<typeof ExportProblem>;

/** PUT /api/connections/:id/export-settings. `baseVersion`: the version the editor started from (a later save by someone else is a 409). */
export const SaveExportSettingsBody = z.object({
  settings: ExportSettings,
  baseVersion: z.number().int().min(0).nullable().optional(),
});
export type SaveExportSettingsBody = z.infer<typeof SaveExportSettingsBody>;

/** GET/PUT /api/connections/:id/export-settings answer. */
export const ExportSettingsAnswer = z.object({
  /** null: never configured (nothing can be pushed yet). */
  settings: ExportSettings.nullable(),
  /** 0 when never saved; each save adds one. */
  version: z.number().int(),
  updatedAt: z.string().nullable(),
  /** Who saved last, as the history names them ("Ada Lovelace <ada@example.com>"). */
  updatedBy: z.string().nullable(),
  /** Platform fields sensitive in at least one audience of the workspace: sent only when in `sensitiveAllowed`. */
  sensitiveFields: z.array(FieldKey),
});
export type ExportSettingsAnswer = z.infer<typeof ExportSettingsAnswer>;
