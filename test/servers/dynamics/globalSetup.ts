import type { TestProject } from 'vitest/node';
import { FakeDataverse } from './fakeDataverse.ts';

/** The client id/secret the worker project's bindings carry (vite.config.ts); the fake accepts only these. */
export const FAKE_DYNAMICS_CLIENT = { clientId: 'fake-dynamics-client-id', clientSecret: 'fake-dynamics-client-secret' };

/** Starts one fake Dataverse (and identity platform) for the worker test run; tests reach it through inject('dynamicsUrl'). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = new FakeDataverse(FAKE_DYNAMICS_CLIENT);
  project.provide('dynamicsUrl', await fake.start());
  return () => fake.stop();
}
