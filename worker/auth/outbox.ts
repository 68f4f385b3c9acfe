/** A mail the Worker sends: who to, what about, and the one link the reader needs. */
export type OutgoingMail = { to: string; subject: string; text: string; link?: string };

/**
 * No mail service is wired in yet: every mail goes to the log, and with MAIL_OUTBOX = "local" (set by `npm start`
 * and the tests, never in wrangler.toml) also to the outbox table the local outbox page lists.
 */
export async function sendMail(env: Env, mail: OutgoingMail): Promise<void> {
  console.log(`[mail] to ${mail.to}: ${mail.subject}${mail.link ? ` — ${mail.link}` : ''}`);
  if (env.MAIL_OUTBOX !== 'local') return;
  await env.DB.prepare('INSERT INTO outbox_mails (id, recipient, subject, body, link, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .bind(crypto.randomUUID(), mail.to, mail.subject, mail.text, mail.link ?? null, new Date().toISOString())
    .run();
}
