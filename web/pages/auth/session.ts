import { createResource } from 'solid-js';
import type { Role } from '../../../shared/schema/auth.ts';
import { authApi } from '../../api/auth.ts';

// One session for the whole SPA: who is signed in and for which workspace. Refetched after sign-in, switching
// and sign-out; every page reads it, none copies it.
const [session, { refetch }] = createResource(() => authApi.session());

export { session };
export const refreshSession = () => refetch();

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  keyContact: 'Key contact',
  marketer: 'Marketer',
  viewer: 'Viewer',
};

export const canManage = () => {
  const role = session()?.workspace?.role;
  return role === 'admin' || role === 'keyContact';
};
