import { describe, expect, it } from 'vitest';
import { summarizeEngagement, type StoredEngagementEvent } from './engagementSummary.ts';

const event = (over: Partial<StoredEngagementEvent>): StoredEngagementEvent => ({
  campaign: 'Spring',
  sequence: 'Welcome',
  step: 1,
  event: 'open',
  message: '',
  at: '2026-03-01T10:00:00Z',
  ...over,
});

describe('summarizeEngagement', () => {
  it('says a member with no events did not engage and has no metrics', () => {
    expect(summarizeEngagement([])).toEqual({ engaged: false, metrics: {}, lastEventAt: null });
  });

  it('counts opens and clicks, names the latest step and the strongest engagement', () => {
    const s = summarizeEngagement([
      event({ step: 1, event: 'open', at: '2026-03-01T10:00:00Z' }),
      event({ step: 2, event: 'click', at: '2026-03-03T10:00:00Z' }),
      event({ step: 2, event: 'open', at: '2026-03-02T10:00:00Z' }),
      event({ step: 3, event: 'open', at: '2026-03-05T10:00:00Z', sequence: 'Follow-up' }),
    ]);
    expect(s.engaged).toBe(true);
    expect(s.lastEventAt).toBe('2026-03-05T10:00:00Z');
    expect(s.metrics).toMatchObject({
      sequence_details: 'Spring / Follow-up, step 3',
      engagement_status: 'Clicked at step 2',
      opens: '3',
      clicks: '1',
      open_analysis: '3 opens over 3 steps, first 2026-03-01, last 2026-03-05',
      click_analysis: '1 click over 1 step, first 2026-03-03, last 2026-03-03',
      reply_analysis: 'No replies',
    });
  });

  it('quotes the last reply and is the same whatever order the events come in', () => {
    const events = [
      event({ step: 1, event: 'reply', message: 'Not now', at: '2026-03-01T10:00:00Z' }),
      event({ step: 4, event: 'reply', message: 'Call me', at: '2026-03-09T10:00:00Z' }),
      event({ step: 2, event: 'open', at: '2026-03-02T10:00:00Z' }),
    ];
    const s = summarizeEngagement(events);
    expect(s.metrics.reply_analysis).toBe('2 replies, last to step 4 on 2026-03-09: Call me');
    expect(s.metrics.engagement_status).toBe('Replied at step 4');
    expect(summarizeEngagement([...events].reverse())).toEqual(s);
  });

  it('keeps a metric within a CRM text property', () => {
    const s = summarizeEngagement([event({ event: 'reply', message: 'x'.repeat(2000) })]);
    expect(s.metrics.reply_analysis?.length).toBe(255);
  });
});
