import { summarizeEngagement, type StoredEngagementEvent } from '../../shared/crmExport/engagementSummary.ts';
import { EngagementSummary } from '../../shared/schema/crmPush.ts';
import { jsonChunks } from './jsonChunks.ts';
import { parseStoredJson } from './storedJson.ts';

/** An event of a batch whose member was found: what engagement_events holds. */
export type KeyedEngagementEvent = StoredEngagementEvent & { eventId: string; audienceId: string; memberKey: string };

/** A member named the way engagement and crm_record_links name it. */
export type MemberRef = { audienceId: string; memberKey: string };

/**
 * Stores the events; an eventId already stored is left as it was (the first post wins). Answers the ids stored now,
 * from RETURNING, so a repeat is told apart from a new event without a read before the write.
 */
export async function insertEngagementEvents(db: D1Database, workspaceId: string, events: readonly KeyedEngagementEvent[], now: string): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const items = events.map((e) => [e.eventId, e.audienceId, e.memberKey, e.campaign, e.sequence, e.step, e.event, e.message, e.at]);
  const statements = jsonChunks(items).map((json) =>
    db
      .prepare(
        `INSERT INTO engagement_events (workspace_id, event_id, audience_id, member_key, campaign, sequence, step, event, message, at, received_at)
         SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7,
           j.value ->> 8, ?2 FROM json_each(?3) AS j WHERE true
         ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING event_id`,
      )
      .bind(workspaceId, now, json),
  );
  const results = await db.batch<{ event_id: string }>(statements);
  return new Set(results.flatMap((r) => r.results.map((row) => row.event_id)));
}

/**
 * Recomputes the summaries of these members from all their stored events. Run after every batch for every member it
 * named (repeats included), so a batch retried after a failure between its two writes repairs the summary.
 */
export async function refreshEngagementSummaries(db: D1Database, workspaceId: string, members: readonly MemberRef[], now: string): Promise<void> {
  if (members.length === 0) return;
  const refs = members.map((m) => [m.audienceId, m.memberKey]);
  const { results } = await db
    .prepare(
      `SELECT e.audience_id, e.member_key, e.campaign, e.sequence, e.step, e.event, e.message, e.at
       FROM json_each(?2) AS j CROSS JOIN engagement_events AS e
       WHERE e.workspace_id = ?1 AND e.audience_id = j.value ->> 0 AND e.member_key = j.value ->> 1`,
    )
    .bind(workspaceId, JSON.stringify(refs))
    .all<{ audience_id: string; member_key: string } & StoredEngagementEvent>();
  const byMember = new Map<string, { ref: MemberRef; events: StoredEngagementEvent[] }>();
  for (const m of members) byMember.set(JSON.stringify([m.audienceId, m.memberKey]), { ref: m, events: [] });
  for (const r of results) {
    byMember.get(JSON.stringify([r.audience_id, r.member_key]))?.events.push({
      campaign: r.campaign,
      sequence: r.sequence,
      step: Number(r.step),
      event: r.event,
      message: r.message,
      at: r.at,
    });
  }
  const rows = [...byMember.values()].map(({ ref, events }) => {
    const summary = summarizeEngagement(events);
    return [ref.audienceId, ref.memberKey, JSON.stringify(summary), summary.engaged ? 1 : 0];
  });
  await db.batch(
    jsonChunks(rows).map((json) =>
      db
        .prepare(
          `INSERT INTO engagement_summaries (workspace_id, audience_id, member_key, summary, engaged, updated_at)
           SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, ?2 FROM json_each(?3) AS j WHERE true
           ON CONFLICT (workspace_id, audience_id, member_key) DO UPDATE SET summary = excluded.summary, engaged = excluded.engaged,
             updated_at = excluded.updated_at`,
        )
        .bind(workspaceId, now, json),
    ),
  );
}

/** The summaries of these members of one audience (members with no events are absent). */
export async function engagementSummaries(db: D1Database, workspaceId: string, audienceId: string, memberKeys: readonly string[]): Promise<Map<string, EngagementSummary>> {
  if (memberKeys.length === 0) return new Map();
  const { results } = await db
    .prepare(
      `SELECT s.member_key, s.summary FROM json_each(?3) AS j CROSS JOIN engagement_summaries AS s
       WHERE s.workspace_id = ?1 AND s.audience_id = ?2 AND s.member_key = j.value`,
    )
    .bind(workspaceId, audienceId, JSON.stringify(memberKeys))
    .all<{ member_key: string; summary: string }>();
  return new Map(results.map((r) => [r.member_key, parseStoredJson(EngagementSummary, r.summary, `engagement_summaries of ${r.member_key}`)]));
}

export type StoredEventRow = { event_id: string; campaign: string; sequence: string; step: number; event: 'open' | 'click' | 'reply'; message: string; at: string };

/** A member's newest events. */
export async function memberEvents(db: D1Database, workspaceId: string, audienceId: string, memberKey: string, limit: number): Promise<StoredEventRow[]> {
  const { results } = await db
    .prepare(
      `SELECT event_id, campaign, sequence, step, event, message, at FROM engagement_events
       WHERE workspace_id = ? AND audience_id = ? AND member_key = ? ORDER BY at DESC, event_id LIMIT ?`,
    )
    .bind(workspaceId, audienceId, memberKey, limit)
    .all<StoredEventRow>();
  return results;
}
