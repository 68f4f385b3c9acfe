import { z } from 'zod';
import type { DataverseApi } from './dataverseApi.ts';
import type { AccountIdentity } from '../store/crmConnections.ts';

const WhoAmIResponse = z.object({ UserId: z.string(), OrganizationId: z.string() });
const UserName = z.object({ fullname: z.string().nullish() });
const OrganizationName = z.object({ name: z.string().nullish() });

/** Who the token acts as and in which organization, with the names people recognise (WhoAmI + two lookups). */
export async function whoAmI(api: DataverseApi): Promise<AccountIdentity> {
  const me = await api.get(api.url('WhoAmI'), WhoAmIResponse);
  // The names are for people; a user without read access to them still connects, identified by the ids.
  const [user, org] = await Promise.all([
    api.get(api.url(`systemusers(${me.UserId})?$select=fullname`), UserName).catch(() => null),
    api.get(api.url(`organizations(${me.OrganizationId})?$select=name`), OrganizationName).catch(() => null),
  ]);
  return { orgId: me.OrganizationId, orgName: org?.name ?? null, userId: me.UserId, userName: user?.fullname ?? null };
}
