import { describe, expect, it } from 'vitest';
import { type PrivacyChoiceInput, privacyChoice, privacyOn } from './privacyChoice.ts';

const audiences = [
  { id: 'plain', name: 'Newsletter', memberCount: 120, privacyMode: false },
  { id: 'private', name: 'VIP', memberCount: 40, privacyMode: true },
  { id: 'empty', name: 'Fresh', memberCount: 0, privacyMode: true },
];
const base: PrivacyChoiceInput = { sourceKind: 'file', audience: { mode: 'new', id: '' }, audiences, chosen: null, workspaceDefault: false, available: true };
const existing = (id: string) => ({ mode: 'existing' as const, id });

describe('privacyChoice', () => {
  it('starts from the workspace default for a new audience, then follows the user', () => {
    expect(privacyChoice(base)).toEqual({ kind: 'optional', on: false });
    expect(privacyChoice({ ...base, workspaceDefault: true })).toEqual({ kind: 'optional', on: true });
    expect(privacyChoice({ ...base, workspaceDefault: true, chosen: false })).toEqual({ kind: 'optional', on: false });
    expect(privacyChoice({ ...base, chosen: true })).toEqual({ kind: 'optional', on: true });
  });

  it('is fixed on for a private audience with members, whatever was ticked', () => {
    const choice = privacyChoice({ ...base, audience: existing('private'), chosen: false });
    expect(choice).toEqual({ kind: 'fixed', on: true, audienceName: 'VIP' });
    expect(privacyOn(choice)).toBe(true);
  });

  it('is fixed off for an audience with members that is not private', () => {
    const choice = privacyChoice({ ...base, audience: existing('plain'), chosen: true, workspaceDefault: true });
    expect(choice).toEqual({ kind: 'fixed', on: false, audienceName: 'Newsletter' });
    expect(privacyOn(choice)).toBe(false);
  });

  it('lets the user choose for an empty audience, starting from its own mode', () => {
    expect(privacyChoice({ ...base, audience: existing('empty') })).toEqual({ kind: 'optional', on: true });
    expect(privacyChoice({ ...base, audience: existing('empty'), chosen: false })).toEqual({ kind: 'optional', on: false });
  });

  it('is unavailable for a file when the workspace has no sealing key to be had', () => {
    const choice = privacyChoice({ ...base, chosen: true, available: false });
    expect(choice).toEqual({ kind: 'unavailable' });
    expect(privacyOn(choice)).toBe(false);
  });

  it('is never on for a CRM source, and names a private target it cannot go into', () => {
    const choice = privacyChoice({ ...base, sourceKind: 'crm', audience: existing('private'), chosen: true, workspaceDefault: true });
    expect(choice).toEqual({ kind: 'crm', privateTarget: 'VIP' });
    expect(privacyOn(choice)).toBe(false);
    expect(privacyChoice({ ...base, sourceKind: 'crm', audience: existing('plain') })).toEqual({ kind: 'crm', privateTarget: null });
  });
});
