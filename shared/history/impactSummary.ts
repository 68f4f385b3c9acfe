import type { ChangeImpact } from '../schema/history.ts';

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function listing(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The impact preview in sentences, the same in the API's answer and on screen:
 *   "This change touches 2 audiences (12,400 members) and 1 scheduled sync."
 *   "Phone will no longer be imported: the values already imported stay on 3,100 members but are no longer updated."
 */
export function impactSummary(impact: Omit<ChangeImpact, 'summary'>): string[] {
  if (impact.changes.length === 0) return ['Nothing changes: these are the saved settings.'];
  const scheduled = impact.syncs.filter((s) => s.scheduled).length;
  const otherSyncs = impact.syncs.length - scheduled;
  const touched = [
    impact.audiences.length ? `${count(impact.audiences.length, 'audience')} (${count(impact.totalMembers, 'member')})` : '',
    scheduled ? count(scheduled, 'scheduled sync') : '',
    otherSyncs ? count(otherSyncs, scheduled ? 'other sync' : 'sync') : '',
    impact.exportMappings.length ? count(impact.exportMappings.length, 'export mapping') : '',
  ].filter(Boolean);
  const lines = [touched.length ? `This change touches ${listing(touched)}.` : 'No audience, sync or export uses this yet.'];
  if (impact.attributesAdded.length) lines.push(`${listing(impact.attributesAdded)} will be imported from now on.`);
  for (const removed of impact.attributesRemoved) {
    const holders =
      removed.membersWithValue === null ? 'on the members that have them' : removed.membersWithValue === 0 ? 'on no member yet' : `on ${count(removed.membersWithValue, 'member')}`;
    const field = removed.fieldKey ? ` (field ${removed.fieldKey})` : '';
    lines.push(`${removed.attribute}${field} will no longer be imported: the values already imported stay ${holders} but are no longer updated.`);
  }
  return lines;
}
