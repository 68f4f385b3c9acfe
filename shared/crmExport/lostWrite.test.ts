import { describe, expect, it } from 'vitest';
import { afterLostWrite } from './lostWrite.ts';
import type { RecordPlan } from './planPush.ts';

const plan = (action: RecordPlan['action'], recordId: string | null, changes: RecordPlan['changes'] = []): RecordPlan => ({ action, recordId, changes, conflicts: [], reason: null });
const email = [{ crmProperty: 'Email', crmValue: null, newValue: 'ada@example.com' }];

describe('afterLostWrite', () => {
  it('reports a create the lost write applied as created, with what it sent, and writes nothing more', () => {
    const outcome = afterLostWrite(plan('create', null, email), plan('skip', '003A'));
    expect(outcome).toEqual({ plan: plan('skip', '003A'), earlier: { action: 'created', changes: email } });
  });

  it('writes what is still missing on a record the lost write created, and still reports it created', () => {
    const rest = [{ crmProperty: 'Title', crmValue: null, newValue: 'CTO' }];
    const outcome = afterLostWrite(plan('create', null, email), plan('update', '003A', rest));
    expect(outcome.plan.action).toBe('update');
    expect(outcome.earlier?.action).toBe('created');
  });

  it('creates again when the lost write did not apply, and keeps an update that did not apply', () => {
    expect(afterLostWrite(plan('create', null, email), plan('create', null, email)).earlier).toBeNull();
    expect(afterLostWrite(plan('update', '003A', email), plan('update', '003A', email))).toEqual({ plan: plan('update', '003A', email), earlier: null });
  });

  it('reports an update the lost write applied as updated; a conflict found on the retry stays a conflict', () => {
    expect(afterLostWrite(plan('update', '003A', email), plan('skip', '003A')).earlier).toEqual({ action: 'updated', changes: email });
    expect(afterLostWrite(plan('create', null, email), plan('conflict', null)).earlier).toBeNull();
  });
});
