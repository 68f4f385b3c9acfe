import { describe, expect, it } from 'vitest';
import type { Audience, DryRun } from '../../shared/schema/audiences.ts';
import type { ChangeHistoryPage } from '../../shared/schema/history.ts';
import type { ImportSummary } from '../../shared/schema/imports.ts';
import type { WorkspaceSettings } from '../../shared/schema/workspaceSettings.ts';
import { call, callAs, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

const COLUMNS: Column[] = [
  { column: 'E-mail', target: 'email', sensitive: true },
  { column: 'Given name', target: 'first_name' },
];

type ErrorBody = { error: { code: string; message: string; details?: unknown } };

const setDefault = (privacyDefault: WorkspaceSettings['privacyDefault']) => ok<WorkspaceSettings>('PUT', '/api/workspace/settings', { privacyDefault });

describe('workspace settings: the privacy default of new file audiences', () => {
  it('starts off; every seat reads it, only admins and the key contact change it', async () => {
    const initial = await ok<WorkspaceSettings>('GET', '/api/workspace/settings');
    expect(initial).toEqual({ privacyDefault: 'off', updatedAt: null, updatedBy: null });
    for (const role of ['viewer', 'marketer'] as const) {
      expect((await callAs<WorkspaceSettings>(role, 'GET', '/api/workspace/settings')).body.privacyDefault).toBe('off');
      const refused = await callAs<ErrorBody>(role, 'PUT', '/api/workspace/settings', { privacyDefault: 'required' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    expect((await callAs('anonymous', 'GET', '/api/workspace/settings')).status).toBe(401);
    // Nothing changed by the refused attempts.
    expect((await ok<WorkspaceSettings>('GET', '/api/workspace/settings')).privacyDefault).toBe('off');
    const invalid = await call<ErrorBody>('PUT', '/api/workspace/settings', { privacyDefault: 'always' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');

    const byKeyContact = await callAs<WorkspaceSettings>('keyContact', 'PUT', '/api/workspace/settings', { privacyDefault: 'on' });
    expect(byKeyContact.status).toBe(200);
    expect(byKeyContact.body).toMatchObject({ privacyDefault: 'on', updatedBy: expect.stringContaining('keycontact@test.example') });
    expect((await callAs<WorkspaceSettings>('viewer', 'GET', '/api/workspace/settings')).body.privacyDefault).toBe('on');
    await setDefault('off');
  });

  it('records each change in the change history, and nothing for saving the same again', async () => {
    await setDefault('off');
    const before = await ok<ChangeHistoryPage>('GET', '/api/history?kind=workspace_settings&limit=200');
    const saved = await setDefault('required');
    expect(saved).toMatchObject({ privacyDefault: 'required', updatedBy: expect.stringContaining('admin@test.example'), updatedAt: expect.any(String) });
    await setDefault('required');
    const after = await ok<ChangeHistoryPage>('GET', '/api/history?kind=workspace_settings&limit=200');
    expect(after.entries.length).toBe(before.entries.length + 1);
    expect(after.entries[0]).toMatchObject({
      action: 'updated',
      subject: { kind: 'workspace_settings', id: 'default', label: 'Workspace settings' },
      actor: { kind: 'user', label: expect.stringContaining('admin@test.example') },
      before: { privacyDefault: 'off' },
      after: { privacyDefault: 'required' },
      changes: ['privacyDefault: off → required'],
    });
    await setDefault('off');
  });

  it('on: a new audience is private unless asked otherwise; a plain file import is still allowed', async () => {
    await setDefault('on');
    expect((await ok<Audience>('POST', '/api/audiences', { name: 'Made under on' })).privacyMode).toBe(true);
    expect((await ok<Audience>('POST', '/api/audiences', { name: 'Asked plain', privacyMode: false })).privacyMode).toBe(false);
    const plain = await startImport(startBody(COLUMNS, 'E-mail'));
    expect(plain.privacyMode ?? false).toBe(false);
    expect((await ok<Audience>('GET', `/api/audiences/${plain.audienceId}`)).privacyMode).toBe(false);
    await setDefault('off');
    expect((await ok<Audience>('POST', '/api/audiences', { name: 'Made under off' })).privacyMode).toBe(false);
  });

  it('required: the Worker refuses a file import that would create or first fill an audience that is not private', async () => {
    await setDefault('off');
    // Made before the setting, with members: it keeps its mode and takes plain imports.
    const older = await startImport(startBody(COLUMNS, 'E-mail'));
    await sendBatch(older.id, 0, rows(1, [['old@example.com', 'Old']]));
    await ok('POST', `/api/imports/${older.id}/finish`);
    const emptyPlain = await ok<Audience>('POST', '/api/audiences', { name: 'Empty and plain', privacyMode: false });

    await setDefault('required');
    const refused = await call<ErrorBody>('POST', '/api/imports', startBody(COLUMNS, 'E-mail', { audienceName: 'Plain new' }));
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('privacy_mode');
    expect(refused.body.error.message).toContain('requires new audiences made from a file to be private');
    const asked = await call<ErrorBody>('POST', '/api/imports', { ...startBody(COLUMNS, 'E-mail', { audienceName: 'Plain new' }), privacyMode: false });
    expect(asked.status).toBe(422);
    const intoEmpty = await call<ErrorBody>('POST', '/api/imports', startBody(COLUMNS, 'E-mail', { audienceId: emptyPlain.id }));
    expect(intoEmpty.status).toBe(422);
    expect(intoEmpty.body.error.code).toBe('privacy_mode');
    // Nothing was left behind by the refusals.
    const names = (await ok<Audience[]>('GET', '/api/audiences')).map((a) => a.name);
    expect(names).not.toContain('Plain new');

    // A dry run sends plain rows: none for a new file audience, nor for an empty one that is not private.
    const dry = await call<ErrorBody>('POST', '/api/audiences/dry-runs', { source: startBody(COLUMNS, 'E-mail').source, mapping: startBody(COLUMNS, 'E-mail').mapping });
    expect(dry.status).toBe(422);
    expect(dry.body.error.code).toBe('privacy_mode');
    const dryOlder = await call<DryRun>('POST', '/api/audiences/dry-runs', { audienceId: older.audienceId, ...startBody(COLUMNS, 'E-mail') });
    expect(dryOlder.status).toBe(201);

    // Private imports go through: a new audience, and the empty one (switched to private by its first import).
    const privateNew = await ok<ImportSummary>('POST', '/api/imports', { ...startBody(COLUMNS, 'E-mail', { audienceName: 'Private new' }), privacyMode: true });
    expect(privateNew.privacyMode).toBe(true);
    const privateEmpty = await ok<ImportSummary>('POST', '/api/imports', { ...startBody(COLUMNS, 'E-mail', { audienceId: emptyPlain.id }), privacyMode: true });
    expect((await ok<Audience>('GET', `/api/audiences/${privateEmpty.audienceId}`)).privacyMode).toBe(true);
    // The audience that already had members keeps its standard mode and its plain imports.
    const again = await ok<ImportSummary>('POST', '/api/imports', startBody(COLUMNS, 'E-mail', { audienceId: older.audienceId }));
    await sendBatch(again.id, 0, rows(1, [['new@example.com', 'New']]));
    expect((await ok<Audience>('GET', `/api/audiences/${older.audienceId}`)).memberCount).toBe(2);
    // A new audience made directly follows the default.
    expect((await ok<Audience>('POST', '/api/audiences', { name: 'Made under required' })).privacyMode).toBe(true);

    await setDefault('off');
    expect((await call('POST', '/api/imports', startBody(COLUMNS, 'E-mail', { audienceName: 'Plain again' }))).status).toBe(201);
  });
});
