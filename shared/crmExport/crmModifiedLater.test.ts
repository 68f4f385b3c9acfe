import { describe, expect, it } from 'vitest';
import { crmModifiedLater } from './crmModifiedLater.ts';

describe('crmModifiedLater', () => {
  it('takes the CRM as newer when it was modified in a later second', () => {
    expect(crmModifiedLater('2026-11-29T14:30:28.000Z', '2026-11-29T14:30:27.900Z')).toBe(true);
    expect(crmModifiedLater('2026-11-29T14:30:26.000Z', '2026-11-29T14:30:27.100Z')).toBe(false);
  });

  it('compares at whole seconds, the CRM winning a tie, so a stamp of our own write does not look older than us', () => {
    expect(crmModifiedLater('2026-11-29T14:30:27.000Z', '2026-11-29T14:30:27.296Z')).toBe(true);
    // Salesforce writes its offset as +0000.
    expect(crmModifiedLater('2026-11-29T14:30:27.000+00:00', '2026-11-29T14:30:27.999Z')).toBe(true);
  });

  it('never takes a record without a readable modification time as newer', () => {
    expect(crmModifiedLater(null, '2026-11-29T14:30:27.000Z')).toBe(false);
    expect(crmModifiedLater('not a time', '2026-11-29T14:30:27.000Z')).toBe(false);
  });
});
