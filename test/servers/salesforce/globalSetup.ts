import type { TestProject } from 'vitest/node';
import './controlTypes.ts';
import { startFakeSalesforce } from './server.ts';

/** vitest globalSetup of the worker project: one fake Salesforce for the run, on a free port. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeSalesforce();
  project.provide('fakeSalesforceUrl', fake.url);
  return () => fake.close();
}
