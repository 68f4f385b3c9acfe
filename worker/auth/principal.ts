import type { Role } from './roles.ts';

/** A signed-in person's seat: which workspace the request acts for and with what role. */
export type Seat = { workspaceId: string; workspaceName: string; role: Role };

/** Every workspace the user has a seat in, oldest membership first. */
export async function seatsOf(db: D1Database, userId: string): Promise<Seat[]> {
  const { results } = await db
    .prepare(
      `SELECT m."organizationId" AS workspaceId, w.name AS workspaceName, m.role AS role
       FROM workspace_members m JOIN workspaces w ON w.id = m."organizationId"
       WHERE m."userId" = ? ORDER BY m."createdAt", w.name`,
    )
    .bind(userId)
    .all<Seat>();
  return results;
}

/**
 * The seat a session acts with: the workspace it switched to while the user still belongs to it, else the first.
 * Membership is read on every request, so a removed member or a changed role takes effect at once.
 */
export function activeSeat(seats: readonly Seat[], activeWorkspaceId: string | null | undefined): Seat | null {
  return seats.find((s) => s.workspaceId === activeWorkspaceId) ?? seats[0] ?? null;
}
