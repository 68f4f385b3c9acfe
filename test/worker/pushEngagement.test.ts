import { describe, expect, it } from 'vitest';
import type { EngagementAnswer, MemberEngagement } from '../../shared/schema/crmPush.ts';
import type { MemberPage } from '../../shared/schema/audiences.ts';
import { call, callAs, ok } from './support/api.ts';
import { engagementEvent, importAudience } from './push/pushHelpers.ts';

const COLUMNS = [
  { column: 'Email', target: 'email' },
  { column: 'First name', target: 'first_name' },
];

async function memberId(audienceId: string, email: string): Promise<string> {
  const page = await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?identifier=${encodeURIComponent(email)}`);
  const id = page.members[0]?.id;
  if (!id) throw new Error(`no member ${email}`);
  return id;
}

describe('POST /api/engagement', () => {
  it('finds members as imports key them, stores each event once, and summarises per member', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['ada@example.com', 'Ada'],
      ['bob@example.com', 'Bob'],
    ]);
    const events = [
      // Typed as a person would: upper case and spaces, normalised like the import did.
      engagementEvent(audienceId, '  ADA@Example.com ', { event: 'open', step: 1, at: '2026-03-01T10:00:00Z' }),
      engagementEvent(audienceId, 'ada@example.com', { event: 'click', step: 2, at: '2026-03-02T10:00:00Z' }),
      engagementEvent(audienceId, 'ada@example.com', { event: 'reply', step: 3, message: 'Call me', at: '2026-03-03T10:00:00Z' }),
      engagementEvent(audienceId, 'nobody@example.com'),
    ];
    const first = await ok<EngagementAnswer>('POST', '/api/engagement', { events });
    expect(first).toMatchObject({ stored: 3, duplicates: 0, unknown: 1 });
    expect(first.results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored', 'unknown_member']);

    // The same batch again (a retry): nothing new, every known event said to be a duplicate.
    const again = await ok<EngagementAnswer>('POST', '/api/engagement', { events });
    expect(again).toMatchObject({ stored: 0, duplicates: 3, unknown: 1 });

    const ada = await ok<MemberEngagement>('GET', `/api/audiences/${audienceId}/members/${await memberId(audienceId, 'ada@example.com')}/engagement`);
    expect(ada.events).toHaveLength(3);
    expect(ada.summary.engaged).toBe(true);
    expect(ada.summary.metrics).toMatchObject({ opens: '1', clicks: '1', engagement_status: 'Replied at step 3' });
    expect(ada.summary.metrics.reply_analysis).toContain('Call me');

    const bob = await ok<MemberEngagement>('GET', `/api/audiences/${audienceId}/members/${await memberId(audienceId, 'bob@example.com')}/engagement`);
    expect(bob).toEqual({ summary: { engaged: false, metrics: {}, lastEventAt: null }, events: [] });
  });

  it('answers an event of an audience that is not in this workspace per event, and an eventId repeated in one batch once', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [['cy@example.com', 'Cy']]);
    const twice = engagementEvent(audienceId, 'cy@example.com');
    const answer = await ok<EngagementAnswer>('POST', '/api/engagement', { events: [twice, twice, engagementEvent('no-such-audience', 'cy@example.com')] });
    expect(answer.results.map((r) => r.status)).toEqual(['stored', 'duplicate', 'unknown_audience']);
  });

  it('refuses a batch over 1,000 events or with a bad event, and a viewer', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [['dee@example.com', 'Dee']]);
    const many = Array.from({ length: 1001 }, () => engagementEvent(audienceId, 'dee@example.com'));
    expect((await call('POST', '/api/engagement', { events: many })).status).toBe(400);
    expect((await call('POST', '/api/engagement', { events: [{ ...engagementEvent(audienceId, 'dee@example.com'), event: 'bounce' }] })).status).toBe(400);
    expect((await callAs('viewer', 'POST', '/api/engagement', { events: [engagementEvent(audienceId, 'dee@example.com')] })).status).toBe(403);
  });
});
