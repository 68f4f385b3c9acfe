import type { DataverseApi } from './dataverseApi.ts';
import type { ConnectedIdentity } from './dynamicsConnections.ts';

type WhoAmIResponse = { UserId: string; OrganizationId: string; BusinessUnitId: string };

/** Who the token acts as and in which organization, with the names people recognise (WhoAmI + two lookups). */
export async function whoAmI(api: DataverseApi): Promise<ConnectedIdentity> {
  const me = await api.get<WhoAmIResponse>(api.url('WhoAmI'));
  const [user, org] = await Promise.all([
    api.get<{ fullname?: string | null }>(api.url(`systemusers(${me.UserId})?$select=fullname`)).catch(() => null),
    api.get<{ name?: string | null }>(api.url(`organizations(${me.OrganizationId})?$select=name`)).catch(() => null),
  ]);
  return { orgId: me.OrganizationId, orgName: org?.name ?? null, userId: me.UserId, userName: user?.fullname ?? null };
}
