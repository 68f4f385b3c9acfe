import { betterAuth } from 'better-auth';
import { genericOAuth } from 'better-auth/plugins/generic-oauth';
import { organization } from 'better-auth/plugins/organization';
import { sendMail } from './outbox.ts';
import { ssoProviders } from './singleSignOn.ts';

// Workspaces, members and invitations are changed only through /api/members and /api/workspaces, which hold the
// route-role table and the one-key-contact rule; the plugin's own HTTP endpoints would bypass both.
const ORGANIZATION_PATHS = [
  'accept-invitation', 'add-team-member', 'cancel-invitation', 'check-slug', 'create', 'create-role', 'create-team', 'delete',
  'delete-role', 'get-active-member', 'get-active-member-role', 'get-full-organization', 'get-invitation', 'get-organization',
  'get-role', 'has-permission', 'invite-member', 'leave', 'list', 'list-invitations', 'list-members', 'list-roles',
  'list-team-members', 'list-teams', 'list-user-invitations', 'list-user-teams', 'reject-invitation', 'remove-member',
  'remove-team', 'remove-team-member', 'set-active', 'set-active-team', 'update', 'update-member-role', 'update-role', 'update-team',
].map((name) => `/organization/${name}`);

/** Set by POST /api/setup on its inner sign-up request; anyone else sending it only goes without their own verification mail. */
export const FIRST_RUN_HEADER = 'x-first-run-setup';

/** Where a failed single sign-on lands: the sign-in page, which words the `error` code for people. */
export const SIGN_IN_PAGE = '/sign-in';

function build(env: Env) {
  const sso = ssoProviders(env);
  return betterAuth({
    database: env.DB,
    secret: env.AUTH_SECRET,
    basePath: '/api/auth',
    // No network here, and nothing about our users leaves the Worker.
    telemetry: { enabled: false },
    disabledPaths: ORGANIZATION_PATHS,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      // Sign-in works before the address is confirmed so a local first run needs no mail round trip; the
      // verification mail goes out on sign-up and the session reports `emailVerified`.
      requireEmailVerification: false,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url }) =>
        sendMail(env, { to: user.email, subject: 'Reset your password', text: `Open this link to choose a new password: ${url}`, link: url }),
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      sendVerificationEmail: async ({ user, url }, request) => {
        // The first-run account is verified by construction (routes/auth.ts, POST /api/setup): no mail for it.
        if (request?.headers.get(FIRST_RUN_HEADER) === '1') return;
        await sendMail(env, { to: user.email, subject: 'Confirm your email address', text: `Open this link to confirm ${user.email}: ${url}`, link: url });
      },
    },
    // A failed OAuth callback redirects here with ?error=<code> instead of better-auth's own error page.
    onAPIError: { errorURL: SIGN_IN_PAGE },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // Secure cookies follow the request's scheme (https in production); HttpOnly and SameSite=Lax are the defaults.
    advanced: { defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' } },
    plugins: [
      organization({
        schema: {
          organization: { modelName: 'workspaces', fields: { createdAt: 'created_at' } },
          member: { modelName: 'workspace_members' },
          invitation: { modelName: 'workspace_invitations' },
        },
      }),
      ...(sso.length > 0 ? [genericOAuth({ config: sso })] : []),
    ],
  });
}

export type Auth = ReturnType<typeof build>;

// One instance per isolate and bindings object: building it parses the options and plugins on every call.
const instances = new WeakMap<object, Auth>();

export function authFor(env: Env): Auth {
  let auth = instances.get(env);
  if (!auth) {
    auth = build(env);
    instances.set(env, auth);
  }
  return auth;
}
