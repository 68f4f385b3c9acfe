import type { PrivacyDefault } from '../../shared/schema/workspaceSettings.ts';

/**
 * Whether an import is hashed and sealed in this tab (privacy mode), whether the user may choose, and where the
 * pre-selection comes from. A CRM source cannot be private (the Worker pulls the records itself, so it sees the
 * values) and cannot go into a private audience. An audience that has members keeps its mode (one audience never
 * holds some values sealed in a tab and others sealed by the server); a new or empty one starts from its own mode
 * or the workspace's default, and takes what the user chooses — unless the workspace requires privacy mode for
 * the audiences a file creates, when it is on and fixed (the Worker refuses anything else).
 */
export type PrivacyChoice =
  /** The server has no sealing key for this workspace (or no privacy mode): nothing can be sealed in the tab. */
  | { kind: 'unavailable'; /** This import must be private (the workspace or its audience says so): it cannot be saved. */ required: boolean }
  | { kind: 'crm'; /** The chosen audience, when it is private: the import cannot go there. */ privateTarget: string | null }
  | { kind: 'fixed'; on: boolean; audienceName: string }
  /** On and fixed by the workspace's setting; `audienceName` names an empty existing audience this import makes private. */
  | { kind: 'required'; audienceName: string | null }
  | {
      kind: 'optional';
      on: boolean;
      /** What set `on`: the workspace default (new audience), the empty audience's own mode, or the user's tick. */
      from: 'workspace' | 'audience' | 'you';
      workspaceDefault: PrivacyDefault;
    };

export interface PrivacyChoiceInput {
  sourceKind: 'file' | 'crm' | null;
  audience: { mode: 'new' | 'existing'; id: string };
  audiences: readonly { id: string; name: string; memberCount: number; privacyMode: boolean }[];
  /** What the user ticked, or null while they have not touched it. */
  chosen: boolean | null;
  /** The workspace's privacy default for new file audiences (GET /api/workspace/settings); 'off' until known. */
  workspaceDefault: PrivacyDefault;
  /** The workspace's sealing key could be had. */
  available: boolean;
}

export function privacyChoice(input: PrivacyChoiceInput): PrivacyChoice {
  const existing = input.audience.mode === 'existing' ? input.audiences.find((a) => a.id === input.audience.id) : undefined;
  if (input.sourceKind === 'crm') return { kind: 'crm', privateTarget: existing?.privacyMode ? existing.name : null };
  if (existing && existing.memberCount > 0) {
    // Its mode is what it is; a plain audience with members may still take a file (the setting is for new ones).
    return input.available || !existing.privacyMode ? { kind: 'fixed', on: existing.privacyMode, audienceName: existing.name } : { kind: 'unavailable', required: true };
  }
  const required = input.workspaceDefault === 'required';
  if (!input.available) return { kind: 'unavailable', required };
  if (required) return { kind: 'required', audienceName: existing ? existing.name : null };
  if (input.chosen !== null) return { kind: 'optional', on: input.chosen, from: 'you', workspaceDefault: input.workspaceDefault };
  if (existing) return { kind: 'optional', on: existing.privacyMode, from: 'audience', workspaceDefault: input.workspaceDefault };
  return { kind: 'optional', on: input.workspaceDefault !== 'off', from: 'workspace', workspaceDefault: input.workspaceDefault };
}

export const privacyOn = (choice: PrivacyChoice): boolean =>
  choice.kind === 'required' || ((choice.kind === 'fixed' || choice.kind === 'optional') && choice.on);

/** Why this import cannot be saved as the privacy choice stands, or null. */
export function privacyBlocker(choice: PrivacyChoice): string | null {
  if (choice.kind === 'crm' && choice.privateTarget) return 'A private audience cannot take a CRM import';
  if (choice.kind === 'unavailable' && choice.required) {
    return 'This import must be private, but the key to seal values in this browser could not be loaded: reload the page to try again';
  }
  return null;
}

/**
 * Where the pre-selection comes from, in a sentence shown under the choice (null when the choice says it itself):
 * the person importing should never wonder why the box is ticked, or that an admin chose its default.
 */
export function privacyOrigin(choice: PrivacyChoice): string | null {
  if (choice.kind !== 'optional') return null;
  switch (choice.from) {
    case 'workspace':
      return choice.workspaceDefault === 'on'
        ? 'On by default: this workspace makes new audiences private (Workspace settings). You may turn it off for this import.'
        : 'Off by default in this workspace. An admin can make new audiences private by default in Workspace settings.';
    case 'audience':
      return `Pre-selected from the audience: it is empty and ${choice.on ? 'private' : 'not private'}; this import sets its mode.`;
    case 'you':
      return choice.on === (choice.workspaceDefault !== 'off') ? null : `The workspace default is ${choice.workspaceDefault === 'off' ? 'off' : 'on'}; you changed it for this import.`;
  }
}
