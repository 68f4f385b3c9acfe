import type { Role } from '../../shared/schema/auth.ts';

export type { Role };

/** Who may change integrations, members and tokens. */
export const MANAGERS: readonly Role[] = ['admin', 'keyContact'];
/** Who may import files, run existing integrations into audiences and manage audiences. */
export const WRITERS: readonly Role[] = ['admin', 'keyContact', 'marketer'];
/** Everyone with a seat: reading. */
export const READERS: readonly Role[] = ['admin', 'keyContact', 'marketer', 'viewer'];
