import { describe, expect, it } from 'vitest';
import { type PrivacyChoiceInput, privacyBlocker, privacyChoice, privacyOn, privacyOrigin } from './privacyChoice.ts';

const audiences = [
  { id: 'plain', name: 'Newsletter', memberCount: 120, privacyMode: false },
  { id: 'private', name: 'VIP', memberCount: 40, privacyMode: true },
  { id: 'empty', name: 'Fresh', memberCount: 0, privacyMode: true },
  { id: 'emptyPlain', name: 'Blank', memberCount: 0, privacyMode: false },
];
const base: PrivacyChoiceInput = { sourceKind: 'file', audience: { mode: 'new', id: '' }, audiences, chosen: null, workspaceDefault: 'off', available: true };
const existing = (id: string) => ({ mode: 'existing' as const, id });

describe('privacyChoice', () => {
  it('starts from the workspace default for a new audience, then follows the user, saying where it comes from', () => {
    const off = privacyChoice(base);
    expect(off).toEqual({ kind: 'optional', on: false, from: 'workspace', workspaceDefault: 'off' });
    expect(privacyOrigin(off)).toContain('Off by default in this workspace');
    const on = privacyChoice({ ...base, workspaceDefault: 'on' });
    expect(on).toEqual({ kind: 'optional', on: true, from: 'workspace', workspaceDefault: 'on' });
    expect(privacyOrigin(on)).toContain('On by default: this workspace makes new audiences private');
    const unticked = privacyChoice({ ...base, workspaceDefault: 'on', chosen: false });
    expect(unticked).toEqual({ kind: 'optional', on: false, from: 'you', workspaceDefault: 'on' });
    expect(privacyOrigin(unticked)).toBe('The workspace default is on; you changed it for this import.');
    // Ticking what the default says is no change worth a sentence.
    expect(privacyOrigin(privacyChoice({ ...base, workspaceDefault: 'on', chosen: true }))).toBeNull();
    expect(privacyOn(privacyChoice({ ...base, chosen: true }))).toBe(true);
  });

  it('is on and fixed when the workspace requires it, for a new audience and an empty one alike', () => {
    const required = privacyChoice({ ...base, workspaceDefault: 'required', chosen: false });
    expect(required).toEqual({ kind: 'required', audienceName: null });
    expect(privacyOn(required)).toBe(true);
    expect(privacyChoice({ ...base, workspaceDefault: 'required', audience: existing('emptyPlain') })).toEqual({ kind: 'required', audienceName: 'Blank' });
    // An audience with members keeps its mode: the setting is for new audiences.
    expect(privacyChoice({ ...base, workspaceDefault: 'required', audience: existing('plain') })).toEqual({ kind: 'fixed', on: false, audienceName: 'Newsletter' });
    // Without a key, a required import cannot be saved at all, and says so.
    const keyless = privacyChoice({ ...base, workspaceDefault: 'required', available: false });
    expect(keyless).toEqual({ kind: 'unavailable', required: true });
    expect(privacyBlocker(keyless)).toContain('must be private');
    expect(privacyBlocker(privacyChoice({ ...base, available: false }))).toBeNull();
  });

  it('is fixed on for a private audience with members, whatever was ticked', () => {
    const choice = privacyChoice({ ...base, audience: existing('private'), chosen: false });
    expect(choice).toEqual({ kind: 'fixed', on: true, audienceName: 'VIP' });
    expect(privacyOn(choice)).toBe(true);
    expect(privacyOrigin(choice)).toBeNull();
  });

  it('is fixed off for an audience with members that is not private', () => {
    const choice = privacyChoice({ ...base, audience: existing('plain'), chosen: true, workspaceDefault: 'on' });
    expect(choice).toEqual({ kind: 'fixed', on: false, audienceName: 'Newsletter' });
    expect(privacyOn(choice)).toBe(false);
  });

  it('lets the user choose for an empty audience, starting from its own mode', () => {
    const fresh = privacyChoice({ ...base, audience: existing('empty') });
    expect(fresh).toEqual({ kind: 'optional', on: true, from: 'audience', workspaceDefault: 'off' });
    expect(privacyOrigin(fresh)).toContain('it is empty and private');
    expect(privacyChoice({ ...base, audience: existing('empty'), chosen: false })).toMatchObject({ kind: 'optional', on: false, from: 'you' });
  });

  it('is unavailable for a file when the workspace has no sealing key to be had', () => {
    const choice = privacyChoice({ ...base, chosen: true, available: false });
    expect(choice).toEqual({ kind: 'unavailable', required: false });
    expect(privacyOn(choice)).toBe(false);
  });

  it('is never on for a CRM source, and names a private target it cannot go into', () => {
    const choice = privacyChoice({ ...base, sourceKind: 'crm', audience: existing('private'), chosen: true, workspaceDefault: 'required' });
    expect(choice).toEqual({ kind: 'crm', privateTarget: 'VIP' });
    expect(privacyOn(choice)).toBe(false);
    expect(privacyBlocker(choice)).toBe('A private audience cannot take a CRM import');
    expect(privacyChoice({ ...base, sourceKind: 'crm', audience: existing('plain') })).toEqual({ kind: 'crm', privateTarget: null });
  });
});
