import { z } from 'zod';
import { CampaignMetric, CrmProperty, EngagementEvent, ExportProblem, ExportTimeField, FieldChange, PushAction, PushRequest } from './crmExport.ts';

/**
 * Answers of the engagement and push APIs (issue 11). The request bodies and settings are in crmExport.ts; this file
 * holds what the Worker sends back, one definition each, parsed by the SPA.
 */

/** What a member did in campaigns, as a push writes it: the seven metrics as text, and whether they took part. */
export const EngagementSummary = z.object({
  engaged: z.boolean(),
  metrics: z.partialRecord(CampaignMetric, z.string()),
  lastEventAt: z.string().nullable(),
});
export type EngagementSummary = z.infer<typeof EngagementSummary>;

/** Per event of a batch: stored, already stored (same eventId), or refused because no member has that identifier. */
export const EngagementEventResult = z.object({
  eventId: z.string(),
  status: z.enum(['stored', 'duplicate', 'unknown_member', 'unknown_audience']),
  message: z.string().optional(),
});
export type EngagementEventResult = z.infer<typeof EngagementEventResult>;

export const EngagementAnswer = z.object({
  stored: z.number().int(),
  duplicates: z.number().int(),
  unknown: z.number().int(),
  results: z.array(EngagementEventResult),
});
export type EngagementAnswer = z.infer<typeof EngagementAnswer>;

export const MemberEngagement = z.object({
  summary: EngagementSummary,
  /** The newest events first (at most 200). */
  events: z.array(EngagementEvent.omit({ audienceId: true, memberIdentifier: true })),
});
export type MemberEngagement = z.infer<typeof MemberEngagement>;

/** A two-way field both sides changed: the side modified most recently won. */
export const TwoWayConflict = z.object({
  crmProperty: CrmProperty,
  ourValue: z.string().nullable(),
  ourModifiedAt: z.string(),
  crmValue: z.string().nullable(),
  crmModifiedAt: z.string().nullable(),
  winner: z.enum(['ours', 'crm']),
});
export type TwoWayConflict = z.infer<typeof TwoWayConflict>;

/** One member's record in a preview sample. */
export const PlannedRecordSample = z.object({
  memberId: z.string(),
  member: z.string(),
  action: PushAction,
  recordId: z.string().nullable(),
  changes: z.array(FieldChange),
  conflicts: z.array(TwoWayConflict),
  reason: z.string().nullable(),
});
export type PlannedRecordSample = z.infer<typeof PlannedRecordSample>;

export const PushCounts = z.object({
  create: z.number().int(),
  update: z.number().int(),
  skip: z.number().int(),
  conflict: z.number().int(),
});
export type PushCounts = z.infer<typeof PushCounts>;

export const PushPreview = z.object({
  /** Members in the scope. */
  members: z.number().int(),
  counts: PushCounts,
  sample: z.array(PlannedRecordSample),
  /** The CRM's labels of the properties the sample changes (by API / logical name), as its describe gives them now. */
  fieldLabels: z.record(z.string(), z.string()),
  /** The integration's export-time fields, for the user to fill before running. */
  exportTimeFields: z.array(ExportTimeField),
  /** Required export-time fields with no value yet: the push is refused until they have one. */
  missingRequired: z.array(CrmProperty),
  /**
   * CRM fields required on create that the settings fill with nothing, by the CRM's describe now (it may have made
   * one required since the settings were saved): the push is refused until an admin covers them.
   */
  requiredNotCovered: z.array(ExportProblem),
  object: z.string(),
});
export type PushPreview = z.infer<typeof PushPreview>;

export const PushStatus = z.enum(['running', 'succeeded', 'failed']);
export type PushStatus = z.infer<typeof PushStatus>;

export const Push = z.object({
  id: z.string(),
  connectionId: z.string(),
  audienceId: z.string(),
  request: PushRequest,
  status: PushStatus,
  total: z.number().int(),
  /** Members handled so far (every outcome). */
  done: z.number().int(),
  counts: z.object({
    created: z.number().int(),
    updated: z.number().int(),
    skipped: z.number().int(),
    conflicts: z.number().int(),
    failed: z.number().int(),
  }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Push = z.infer<typeof Push>;

export const PushRecordOutcome = z.enum(['created', 'updated', 'skipped', 'conflict', 'failed']);
export type PushRecordOutcome = z.infer<typeof PushRecordOutcome>;

export const PushReportLine = z.object({
  memberId: z.string(),
  member: z.string(),
  recordId: z.string().nullable(),
  action: PushRecordOutcome,
  message: z.string().nullable(),
  vendorCode: z.string().nullable(),
  changes: z.array(FieldChange),
  conflicts: z.array(TwoWayConflict),
});
export type PushReportLine = z.infer<typeof PushReportLine>;

/** What a push did to one company's Account (Salesforce Account, Dataverse account), and whose members it concerned. */
export const PushCompanyLine = z.object({
  /** The company identifier's value as the first member spelled it (masked when sensitive). */
  company: z.string(),
  recordId: z.string().nullable(),
  /** A company whose members span batches: its worst outcome (failed, conflict, created, updated, skipped). */
  action: PushRecordOutcome,
  /** Plain words; for a refusal the CRM's own message. */
  message: z.string().nullable(),
  vendorCode: z.string().nullable(),
  /** How many members of the push belong to the company. */
  memberCount: z.number().int(),
  /** The first of them (at most 20), as the report names members. */
  members: z.array(z.string()),
});
export type PushCompanyLine = z.infer<typeof PushCompanyLine>;

export const PushReport = z.object({
  push: Push,
  lines: z.array(PushReportLine),
  totalLines: z.number().int(),
  /** The Accounts the push wrote or could not: refused and conflicting ones first (at most 500). */
  companies: z.array(PushCompanyLine),
  totalCompanies: z.number().int(),
});
export type PushReport = z.infer<typeof PushReport>;
