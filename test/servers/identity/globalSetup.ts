import type { TestProject } from 'vitest/node';
import './controlTypes.ts';
import { startIdentityServer } from './server.ts';

/** vitest globalSetup: the Microsoft and Salesforce identity stand-ins for the run, on a free port. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startIdentityServer();
  project.provide('identityUrl', server.url);
  return () => server.close();
}
