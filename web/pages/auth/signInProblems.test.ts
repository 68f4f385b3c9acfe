import { describe, expect, it } from 'vitest';
import { afterSignIn, signInProblem } from './signInProblems.ts';

describe('signInProblem', () => {
  it('says who signed in and what to do when no workspace invited them', () => {
    expect(signInProblem('not_invited', 'sam@acme.example')).toMatch(/signed in as sam@acme\.example, but no workspace .* invited/);
  });

  it('words the provider’s refusals for people, and never answers nothing for an unknown code', () => {
    expect(signInProblem('invalid_code', null)).toMatch(/refused this sign-in’s code/);
    expect(signInProblem('unable_to_get_user_info', null)).toMatch(/could not be verified/);
    expect(signInProblem('something_new', null)).toBe('The sign-in did not complete (something_new). Start again.');
    expect(signInProblem(null, null)).toBeNull();
  });
});

describe('afterSignIn', () => {
  it('goes back to a path of this app only', () => {
    expect(afterSignIn('/api/connections/salesforce/callback?state=a&code=b')).toBe('/api/connections/salesforce/callback?state=a&code=b');
    expect(afterSignIn('//evil.example/x')).toBeNull();
    expect(afterSignIn('https://evil.example/')).toBeNull();
    expect(afterSignIn('/\\evil.example')).toBeNull();
    expect(afterSignIn(null)).toBeNull();
  });
});
