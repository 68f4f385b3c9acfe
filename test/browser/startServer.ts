// Placeholder global setup: replaced by the browser-test server start (build + migrate + wrangler dev).
export default function setup(): void {}
