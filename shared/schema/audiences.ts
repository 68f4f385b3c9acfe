import { z } from 'zod';
import { WellFormedText } from './text.ts';

export const Audience = z.object({
  id: z.string(),
  name: z.string(),
  memberCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Audience = z.infer<typeof Audience>;

export const CreateAudienceBody = z.object({ name: WellFormedText.trim().min(1, 'an audience needs a name').max(200) });
export type CreateAudienceBody = z.infer<typeof CreateAudienceBody>;

/** A member as the API shows it: sensitive fields are never returned in clear, only masked. */
export const Member = z.object({
  id: z.string(),
  identifier: z.string(),
  attributes: z.record(z.string(), z.string()),
  /** Field keys whose values are stored only hashed + encrypted; shown as a mask. */
  sensitive: z.record(z.string(), z.string()),
  updatedAt: z.string(),
});
export type Member = z.infer<typeof Member>;

export const MemberPage = z.object({ members: z.array(Member), nextCursor: z.string().nullable(), total: z.number().int() });
export type MemberPage = z.infer<typeof MemberPage>;
