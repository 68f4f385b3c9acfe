import { describe, expect, it } from 'vitest';
import { pushReportCsvLine } from './pushReportCsv.ts';

describe('pushReportCsvLine', () => {
  it('words changes and conflicts, and neutralises a formula the CRM sent back', () => {
    const line = pushReportCsvLine({
      memberId: '7',
      member: 'ada@example.com',
      recordId: null,
      action: 'failed',
      message: '=HYPERLINK("x") is not a valid value',
      vendorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      changes: [{ crmProperty: 'Title', crmValue: null, newValue: 'CTO' }],
      conflicts: [{ crmProperty: 'Phone', ourValue: '+1', ourModifiedAt: '2026-01-02', crmValue: '+2', crmModifiedAt: '2026-01-03', winner: 'crm' }],
    });
    expect(line).toBe(
      `ada@example.com,,failed,"'=HYPERLINK(""x"") is not a valid value",INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST,Title: (empty) → CTO,"Phone: ours +1 (2026-01-02), CRM +2 (2026-01-03); the CRM’s kept"\r\n`,
    );
  });
});
