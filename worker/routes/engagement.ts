import { Hono } from 'hono';
import { z } from 'zod';
import { summarizeEngagement } from '../../shared/crmExport/engagementSummary.ts';
import { EngagementBatch } from '../../shared/schema/crmExport.ts';
import type { EngagementAnswer, EngagementEventResult, MemberEngagement } from '../../shared/schema/crmPush.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, paramsOf } from '../http/validate.ts';
import { memberKeyerFor } from '../push/memberKeyer.ts';
import { findAudience, getAudience } from '../store/audiences.ts';
import { engagementSummaries, insertEngagementEvents, memberEvents, refreshEngagementSummaries, type KeyedEngagementEvent } from '../store/engagement.ts';
import { audienceRef, existingMembers } from '../store/members.ts';

const MemberParams = z.object({ id: z.string(), memberId: z.string().regex(/^\d{1,15}$/, 'not a member id') });

/**
 * Finds each event's member the way an import keys it (memberKeyerFor), stores the events of known members and
 * refreshes their summaries. Every event gets a result: an identifier no member has is answered `unknown_member`,
 * never dropped without a word, so the campaign engine can tell which it has to send again after an import.
 */
async function storeEngagement(env: Env, workspaceId: string, batch: EngagementBatch, now: string): Promise<EngagementAnswer> {
  const db = env.DB;
  const byAudience = new Map<string, EngagementBatch['events']>();
  for (const e of batch.events) {
    const group = byAudience.get(e.audienceId) ?? [];
    group.push(e);
    byAudience.set(e.audienceId, group);
  }
  const known: KeyedEngagementEvent[] = [];
  const outcome = new Map<string, EngagementEventResult>();
  for (const [audienceId, events] of byAudience) {
    const audience = await findAudience(db, workspaceId, audienceId);
    const keyer = audience ? await memberKeyerFor(db, env.HASH_KEY, workspaceId, audienceId) : null;
    if (!audience || !keyer) {
      for (const e of events) outcome.set(e.eventId, { eventId: e.eventId, status: audience ? 'unknown_member' : 'unknown_audience', message: audience ? 'This audience has no members yet.' : 'No audience with this id in this workspace.' });
      continue;
    }
    const keyed = events.map((e) => ({ event: e, key: keyer(e.memberIdentifier) }));
    const members = await existingMembers(db, workspaceId, audienceId, [...new Set(keyed.flatMap((k) => (k.key === null ? [] : [k.key])))]);
    for (const { event, key } of keyed) {
      if (key === null || !members.has(key)) {
        outcome.set(event.eventId, { eventId: event.eventId, status: 'unknown_member', message: 'No member of this audience has this identifier.' });
        continue;
      }
      known.push({ ...event, memberKey: key });
    }
  }
  const stored = await insertEngagementEvents(db, workspaceId, known, now);
  for (const e of known) outcome.set(e.eventId, { eventId: e.eventId, status: stored.has(e.eventId) ? 'stored' : 'duplicate' });
  const touched = new Map(known.map((e) => [`${e.audienceId}\n${e.memberKey}`, { audienceId: e.audienceId, memberKey: e.memberKey }]));
  await refreshEngagementSummaries(db, workspaceId, [...touched.values()], now);
  // One result per event in the order sent; an eventId sent twice in one batch is stored once and answered twice.
  const answered = new Set<string>();
  const results = batch.events.map((e) => {
    const first = !answered.has(e.eventId);
    answered.add(e.eventId);
    const result = outcome.get(e.eventId) ?? { eventId: e.eventId, status: 'unknown_member' as const };
    return first ? result : { eventId: e.eventId, status: result.status === 'stored' ? ('duplicate' as const) : result.status };
  });
  return {
    stored: results.filter((r) => r.status === 'stored').length,
    duplicates: results.filter((r) => r.status === 'duplicate').length,
    unknown: results.filter((r) => r.status === 'unknown_member' || r.status === 'unknown_audience').length,
    results,
  };
}

export const engagementRoutes = new Hono<AppEnv>().post('/', jsonBody(EngagementBatch), async (c) =>
  c.json(await storeEngagement(c.env, c.var.workspaceId, c.req.valid('json'), new Date().toISOString())),
);

/** Mounted under /api/audiences: one member's engagement summary and newest events. */
export const memberEngagementRoutes = new Hono<AppEnv>().get('/:id/members/:memberId/engagement', paramsOf(MemberParams), async (c) => {
  const db = c.env.DB;
  const ws = c.var.workspaceId;
  const { id, memberId } = c.req.valid('param');
  const audience = await getAudience(db, ws, id);
  const member = await db
    .prepare(`SELECT identifier_key FROM member_records WHERE audience_ref = ${audienceRef('?1', '?2')} AND id = ?3`)
    .bind(ws, audience.id, Number(memberId))
    .first<{ identifier_key: string }>();
  if (!member) throw new DomainError('not_found', 'no such member in this audience', { memberId });
  const [summaries, events] = await Promise.all([
    engagementSummaries(db, ws, audience.id, [member.identifier_key]),
    memberEvents(db, ws, audience.id, member.identifier_key, 200),
  ]);
  const body: MemberEngagement = {
    summary: summaries.get(member.identifier_key) ?? summarizeEngagement([]),
    events: events.map((e) => ({ eventId: e.event_id, campaign: e.campaign, sequence: e.sequence, step: Number(e.step), event: e.event, message: e.message, at: e.at })),
  };
  return c.json(body);
});
