/**
 * Whether an import is hashed and sealed in this tab (privacy mode), and whether the user may choose. A CRM
 * source cannot be private (the Worker pulls the records itself, so it sees the values) and cannot go into a
 * private audience. An audience that has members keeps its mode (one audience never holds some values sealed in
 * a tab and others sealed by the server); a new or empty one takes what the user chooses, starting from its own
 * mode or the workspace's default.
 */
export type PrivacyChoice =
  /** The server has no sealing key for this workspace (or no privacy mode): nothing can be sealed in the tab. */
  | { kind: 'unavailable' }
  | { kind: 'crm'; /** The chosen audience, when it is private: the import cannot go there. */ privateTarget: string | null }
  | { kind: 'fixed'; on: boolean; audienceName: string }
  | { kind: 'optional'; on: boolean };

export interface PrivacyChoiceInput {
  sourceKind: 'file' | 'crm' | null;
  audience: { mode: 'new' | 'existing'; id: string };
  audiences: readonly { id: string; name: string; memberCount: number; privacyMode: boolean }[];
  /** What the user ticked, or null while they have not touched it. */
  chosen: boolean | null;
  workspaceDefault: boolean;
  /** The workspace's sealing key could be had. */
  available: boolean;
}

export function privacyChoice(input: PrivacyChoiceInput): PrivacyChoice {
  const existing = input.audience.mode === 'existing' ? input.audiences.find((a) => a.id === input.audience.id) : undefined;
  if (input.sourceKind === 'crm') return { kind: 'crm', privateTarget: existing?.privacyMode ? existing.name : null };
  if (!input.available) return { kind: 'unavailable' };
  if (existing && existing.memberCount > 0) return { kind: 'fixed', on: existing.privacyMode, audienceName: existing.name };
  return { kind: 'optional', on: input.chosen ?? (existing ? existing.privacyMode : input.workspaceDefault) };
}

export const privacyOn = (choice: PrivacyChoice): boolean => (choice.kind === 'fixed' || choice.kind === 'optional') && choice.on;
