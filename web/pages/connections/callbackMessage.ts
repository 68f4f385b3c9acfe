/**
 * What the sign-in round trip's landing URL (/connections?connected=<id> or ?error=<code>, set by the Worker's
 * callbacks) means for the person who just signed in. `crm` is the CRM they were sent to, when the page knows.
 */
export type CallbackOutcome = { kind: 'connected'; connectionId: string } | { kind: 'error'; code: string; message: string };

const MESSAGES: Record<string, (crm: string) => string> = {
  invalid_state: (crm) => `The sign-in at ${crm} came back incomplete, so nothing was connected. Please connect again.`,
  login_expired: (crm) => `The sign-in at ${crm} took too long or was already used, so nothing was connected. Please connect again.`,
  access_denied: (crm) => `Access was not allowed at ${crm}. To import from it, connect again and choose Allow when ${crm} asks.`,
  login_failed: (crm) => `The sign-in at ${crm} did not complete. Please try again.`,
  different_account: (crm) =>
    `You signed in to ${crm} as a different user or organization than this connection uses. Reconnect with the same account, or remove the connection and add the new one.`,
  crm_auth_failed: (crm) => `${crm} did not accept the sign-in. Check that this user may use the API, then connect again.`,
  crm_unavailable: (crm) => `${crm} is not answering right now, so the connection could not be finished. Please try again in a few minutes.`,
  crm_rate_limited: (crm) => `${crm} is limiting requests right now, so the connection could not be finished. Please try again in a few minutes.`,
  crm_error: (crm) => `${crm} could not be connected because of a problem on our side. Please contact support.`,
  crm_not_configured: (crm) => `${crm} is not set up on this server yet, so it cannot be connected. Ask your administrator to finish its setup.`,
};

export function callbackOutcome(search: string, crm = 'your CRM'): CallbackOutcome | null {
  const params = new URLSearchParams(search);
  const connected = params.get('connected');
  if (connected) return { kind: 'connected', connectionId: connected };
  const code = params.get('error');
  if (!code) return null;
  const message = MESSAGES[code]?.(crm) ?? `Connecting ${crm} failed. Please try again; if it keeps failing, contact support.`;
  return { kind: 'error', code, message };
}

const CONNECTING_KEY = 'audience-import:connecting';

/** Remembered across the round trip, so the landing message can name the CRM the user went to. */
export function rememberConnecting(crm: string, storage: Pick<Storage, 'setItem'> = sessionStorage): void {
  try {
    storage.setItem(CONNECTING_KEY, crm);
  } catch {
    /* storage disabled: the message says "your CRM" */
  }
}

export function takeConnecting(storage: Pick<Storage, 'getItem' | 'removeItem'> = sessionStorage): string | null {
  try {
    const crm = storage.getItem(CONNECTING_KEY);
    storage.removeItem(CONNECTING_KEY);
    return crm;
  } catch {
    return null;
  }
}
