import { z } from 'zod';
import { CrmFilter } from './crm.ts';
import { ImportCounts, ImportReport } from './imports.ts';
import { ImportMapping } from './mapping.ts';

/** How often a sync runs by itself. `manual`: only when someone presses "Run now". */
export const UpdateCycle = z.enum(['manual', 'daily', 'hourly', 'every_15_minutes', 'every_5_minutes', 'every_minute']);
export type UpdateCycle = z.infer<typeof UpdateCycle>;

/** What happens to a member whose record left the CRM (deleted there, or its flag field turned false). */
export const DeletionRule = z.enum(['remove_member', 'keep_and_mark']);
export type DeletionRule = z.infer<typeof DeletionRule>;

/**
 * What a run pulls and how it stores it; one version of a sync. The mapping's columns are the CRM fields' API
 * names ("Email", "emailaddress1"); its identifier is the key field that matches records to members.
 */
export const SyncSettings = z
  .object({
    name: z.string().trim().min(1).max(200),
    object: z.string().min(1).max(200),
    filters: z.array(CrmFilter).max(20).default([]),
    mapping: ImportMapping,
    cycle: UpdateCycle,
    deletionRule: DeletionRule.default('remove_member'),
    /** A true/false field of the table: only records where it is true belong to the audience. */
    flagField: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a field name').nullable().default(null),
    defaultCountry: z.string().regex(/^[A-Z]{2}$/).default('US'),
  })
  .refine((s) => s.flagField !== s.mapping.identifier, {
    message: 'the flag field cannot be the key field',
    path: ['flagField'],
  });
export type SyncSettings = z.infer<typeof SyncSettings>;

export const SyncConsent = z.object({
  doubleOptIn: z.literal(true, { error: 'double opt-in must be confirmed for everything this sync brings in' }),
  /** Who confirmed it (the signed-in user once sign-in exists). */
  confirmedBy: z.string().trim().min(1).max(200),
});

export const CreateSyncBody = z
  .object({
    connectionId: z.string().min(1),
    /** An existing audience, or a name for a new one. Exactly one of the two. */
    audienceId: z.string().optional(),
    audienceName: z.string().trim().min(1).max(200).optional(),
    settings: SyncSettings,
    consent: SyncConsent,
  })
  .refine((b) => (b.audienceId ? 1 : 0) + (b.audienceName ? 1 : 0) === 1, { message: 'give either audienceId or audienceName', path: ['audienceId'] });
export type CreateSyncBody = z.infer<typeof CreateSyncBody>;

/** Editing replaces the settings as a whole: a new version, used from the next run on. */
export const EditSyncBody = z.object({ settings: SyncSettings });
export type EditSyncBody = z.infer<typeof EditSyncBody>;

/** DELETE /api/syncs/:id: the sync is gone; its audience (with every member) stays, and says how many members it keeps. */
export const DeletedSync = z.object({ id: z.string(), audienceId: z.string(), membersKept: z.number().int() });
export type DeletedSync = z.infer<typeof DeletedSync>;

export const SyncRunTrigger = z.enum(['schedule', 'manual']);
export const SyncRunStatus = z.enum(['running', 'succeeded', 'failed']);

export const SyncRun = z.object({
  id: z.string(),
  syncId: z.string(),
  version: z.number().int(),
  importId: z.string(),
  trigger: SyncRunTrigger,
  status: SyncRunStatus,
  /** false: every record was pulled; true: only those changed since `changedSince`. */
  incremental: z.boolean(),
  changedSince: z.string().nullable(),
  pulled: z.number().int(),
  counts: ImportCounts,
  removed: z.number().int(),
  /** In the marketer's words; `errorCode` is the API error code behind it (crm_auth_failed = reconnect). */
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  /** What the run did differently from what was asked, in the marketer's words (a full read where changes were due). */
  notice: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type SyncRun = z.infer<typeof SyncRun>;

export const SyncHealth = z.enum(['healthy', 'running', 'failing', 'needs_reconnect', 'paused', 'never_run']);
export type SyncHealth = z.infer<typeof SyncHealth>;

export const Sync = z.object({
  id: z.string(),
  connectionId: z.string(),
  audienceId: z.string(),
  version: z.number().int(),
  settings: SyncSettings,
  paused: z.boolean(),
  consent: z.object({ confirmedBy: z.string(), confirmedAt: z.string() }),
  health: SyncHealth,
  /** Since when runs fail (the first failed run after the last success), with the last run's reason. */
  failingSince: z.string().nullable(),
  lastRun: SyncRun.nullable(),
  nextRunAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Sync = z.infer<typeof Sync>;

export const RunNowAnswer = z.object({
  /** false when a run of this sync was already going: runs of one sync never overlap. */
  started: z.boolean(),
  run: SyncRun,
});
export type RunNowAnswer = z.infer<typeof RunNowAnswer>;

/** One run with its import's report: the row errors, as for any import (the CSV download is the import's). */
export const SyncRunReport = z.object({ run: SyncRun, report: ImportReport });
export type SyncRunReport = z.infer<typeof SyncRunReport>;
