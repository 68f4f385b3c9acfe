import type { CampaignMetric, EngagementEvent } from '../schema/crmExport.ts';
import type { EngagementSummary } from '../schema/crmPush.ts';

export type StoredEngagementEvent = Pick<EngagementEvent, 'campaign' | 'sequence' | 'step' | 'event' | 'message' | 'at'>;

const STRENGTH = { open: 1, click: 2, reply: 3 } as const;
const STATUS = { open: 'Opened', click: 'Clicked', reply: 'Replied' } as const;
/** A CRM text property is often 255 characters: a metric never needs more. */
const MAX_METRIC = 255;

const day = (iso: string) => iso.slice(0, 10);
const cut = (text: string) => (text.length > MAX_METRIC ? `${text.slice(0, MAX_METRIC - 1)}…` : text);

function analysis(events: readonly StoredEngagementEvent[], noun: string): string {
  if (events.length === 0) return `No ${noun}s`;
  const steps = new Set(events.map((e) => `${e.sequence}#${e.step}`)).size;
  const times = events.map((e) => e.at).sort();
  const plural = events.length === 1 ? noun : `${noun}s`;
  return `${events.length} ${plural} over ${steps} step${steps === 1 ? '' : 's'}, first ${day(times[0] ?? '')}, last ${day(times.at(-1) ?? '')}`;
}

/**
 * The per-member summary a push writes into the CRM's campaign properties, from all of the member's events. Pure and
 * order-independent (the same events in any order give the same summary), so recomputing it after a repeated batch
 * changes nothing. Engaged: the member took part in a campaign — any open, click or reply.
 */
export function summarizeEngagement(events: readonly StoredEngagementEvent[]): EngagementSummary {
  const byTime = [...events].sort((a, b) => a.at.localeCompare(b.at) || a.step - b.step);
  const latest = byTime.at(-1);
  if (!latest) return { engaged: false, metrics: {}, lastEventAt: null };
  const strongest = byTime.reduce((best, e) => (STRENGTH[e.event] >= STRENGTH[best.event] ? e : best));
  const of = (kind: StoredEngagementEvent['event']) => byTime.filter((e) => e.event === kind);
  const replies = of('reply');
  const lastReply = replies.at(-1);
  const metrics: Record<CampaignMetric, string> = {
    sequence_details: cut(`${latest.campaign} / ${latest.sequence}, step ${latest.step}`),
    engagement_status: `${STATUS[strongest.event]} at step ${strongest.step}`,
    opens: String(of('open').length),
    clicks: String(of('click').length),
    open_analysis: analysis(of('open'), 'open'),
    click_analysis: analysis(of('click'), 'click'),
    reply_analysis: lastReply
      ? cut(`${replies.length === 1 ? '1 reply' : `${replies.length} replies`}, last to step ${lastReply.step} on ${day(lastReply.at)}${lastReply.message ? `: ${lastReply.message}` : ''}`)
      : 'No replies',
  };
  return { engaged: true, metrics, lastEventAt: latest.at };
}
