import app from './app.ts';
import { repackStep } from './store/memberRepack.ts';
import { startDueRuns } from './sync/scheduled.ts';

export type { AppType } from './app.ts';
export { SyncRunWorkflow } from './sync/syncRunWorkflow.ts';
export { PushRunWorkflow } from './push/pushRunWorkflow.ts';

export default {
  fetch: app.fetch,
  // The Cron Trigger: start the sync runs that are due (their work happens in SyncRunWorkflow, not here), and re-pack
  // a bounded number of members still stored as JSON.
  scheduled(controller, env, ctx) {
    ctx.waitUntil(startDueRuns(env, new Date(controller.scheduledTime)));
    ctx.waitUntil(repackStep(env));
  },
} satisfies ExportedHandler<Env>;
