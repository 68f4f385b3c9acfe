import { describe, expect, it } from 'vitest';
import type { ChangeImpact } from '../schema/history.ts';
import { impactSummary } from './impactSummary.ts';

const base: Omit<ChangeImpact, 'summary'> = {
  subject: { kind: 'table_config', id: 'c1:Contact', label: 'Contact', connectionId: 'c1' },
  object: 'Contact',
  changes: ['attributes: added Phone; removed Fax'],
  attributesAdded: [],
  attributesRemoved: [],
  audiences: [],
  totalMembers: 0,
  syncs: [],
  exportMappings: [],
};
const audience = (id: string, memberCount: number) => ({ id, name: id, memberCount, via: ['import' as const] });
const sync = (id: string, scheduled: boolean) => ({ id, name: id, audienceId: 'a', cycle: scheduled ? 'daily' : 'manual', paused: false, scheduled });

describe('impactSummary', () => {
  it('counts audiences with their members and scheduled syncs', () => {
    const lines = impactSummary({ ...base, audiences: [audience('a', 12_000), audience('b', 400)], totalMembers: 12_400, syncs: [sync('s', true)] });
    expect(lines[0]).toBe('This change touches 2 audiences (12,400 members) and 1 scheduled sync.');
  });

  it('says what happens to the values of a removed attribute, with the members holding one', () => {
    const lines = impactSummary({
      ...base,
      audiences: [audience('a', 1)],
      totalMembers: 1,
      attributesAdded: ['Phone'],
      attributesRemoved: [
        { attribute: 'Fax', fieldKey: 'fax', membersWithValue: 3_100 },
        { attribute: 'Title', fieldKey: null, membersWithValue: null },
      ],
    });
    expect(lines).toEqual([
      'This change touches 1 audience (1 member).',
      'Phone will be imported from now on.',
      'Fax (field fax) will no longer be imported: the values already imported stay on 3,100 members but are no longer updated.',
      'Title will no longer be imported: the values already imported stay on the members that have them but are no longer updated.',
    ]);
  });

  it('names manual syncs and export mappings apart from scheduled ones, and says when nothing uses the table', () => {
    expect(impactSummary({ ...base, syncs: [sync('m', false)], exportMappings: [{ id: 'e', name: 'Ads' }] })[0]).toBe('This change touches 1 sync and 1 export mapping.');
    expect(impactSummary(base)[0]).toBe('No audience, sync or export uses this yet.');
    expect(impactSummary({ ...base, changes: [] })).toEqual(['Nothing changes: these are the saved settings.']);
  });
});
