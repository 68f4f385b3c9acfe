import { describe, expect, it } from 'vitest';
import { addCounts, addReasons, emptyDryRunCounts, rejectedByReason } from './dryRunCounts.ts';

const error = (index: number, code: 'invalid_email' | 'invalid_phone' | 'empty_identifier') => ({
  index,
  error: { row: index + 1, column: null, code, message: '', value: null },
});

describe('rejectedByReason', () => {
  it('counts a row once per reason even with several bad cells of that kind', () => {
    expect(rejectedByReason([error(0, 'invalid_email'), error(0, 'invalid_email'), error(0, 'invalid_phone'), error(3, 'empty_identifier')])).toEqual({
      invalid_email: 1,
      invalid_phone: 1,
      empty_identifier: 1,
    });
  });

  it('adds reasons and counts of two batches', () => {
    expect(addReasons({ invalid_email: 2 }, { invalid_email: 1, ragged_row: 4 })).toEqual({ invalid_email: 3, ragged_row: 4 });
    const one = { received: 5, inserted: 2, updated: 1, merged: 1, rejected: 1, skipped: 0 };
    expect(addCounts(addCounts(emptyDryRunCounts(), one), one)).toEqual({ received: 10, inserted: 4, updated: 2, merged: 2, rejected: 2, skipped: 0 });
  });
});
