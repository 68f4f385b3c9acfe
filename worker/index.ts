import app from './app.ts';

export type { AppType } from './app.ts';
export default app;
