/**
 * The identity stand-ins' control API (test/servers/identity), used only by tests, from Node or from inside
 * workerd (hence no Node imports here). Each test makes its own users, so files running side by side never meet.
 */

export type Flavour = 'microsoft' | 'salesforce';

/** What goes wrong for this user's sign-ins, as a real identity provider or an attacker in the middle would make it. */
export type IdentityFault =
  /** The id_token is signed by a key the JWKS does not hold (same `kid`): a forged or tampered token. */
  | 'bad_signature'
  /** The id_token is for another app (`aud`). */
  | 'wrong_audience'
  /** The id_token names another issuer (`iss`). */
  | 'wrong_issuer'
  /** The authorization code has expired by the time it is redeemed. */
  | 'expired_code';

export type CreateIdentityUser = {
  flavour: Flavour;
  email: string;
  name?: string;
  /** Microsoft: the `xms_edov` claim (domain owner verified); Salesforce: `email_verified`. Default true. */
  emailVerified?: boolean;
  fault?: IdentityFault;
};

export type IdentityUser = CreateIdentityUser & {
  /** Entra object id / Salesforce user id. */
  id: string;
  /** What the test sends as `loginHint` so the stand-in signs this user in without a login form. */
  loginHint: string;
};

/** The app registrations the stand-ins trust (the tests' bindings use the same). */
export const MICROSOFT_TEST_APP = { clientId: 'fake-entra-sso-client', clientSecret: 'fake-entra-sso-secret', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' } as const;
export const SALESFORCE_TEST_APP = { clientId: 'fake-salesforce-sso-consumer-key', clientSecret: 'fake-salesforce-sso-consumer-secret', orgId: '00D5g000004ABCDEAZ' } as const;

/** The stand-ins' base URLs: Microsoft's authority (…/{tenant}/oauth2/v2.0/…) and Salesforce's login URL. */
export type IdentityUrls = { microsoftAuthority: string; salesforceLogin: string; control: string };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the identity stand-ins (globalSetup.ts). */
    identityUrl: string;
  }
}
