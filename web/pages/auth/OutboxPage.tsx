import { createResource, For, Show } from 'solid-js';
import { authApi } from '../../api/auth.ts';
import { formatDate } from '../formatting.ts';

/** Local only (MAIL_OUTBOX=local): the mails this server would have sent, newest first, with their links. */
export default function OutboxPage() {
  const [mails, { refetch }] = createResource(() => authApi.outbox());
  return (
    <section class="page">
      <header class="card-head">
        <div>
          <h1>Local outbox</h1>
          <p class="muted">This server has no mail service: verification, password and invitation mails are kept here instead.</p>
        </div>
        <button type="button" onClick={() => refetch()}>
          Refresh
        </button>
      </header>
      <Show when={mails()} fallback={<p class="muted">{mails.error ? 'The outbox is only available on a local server.' : 'Loading…'}</p>}>
        {(list) => (
          <Show when={list().length} fallback={<div class="card empty"><p>No mail yet.</p></div>}>
            <ul class="outbox">
              <For each={list()}>
                {(mail) => (
                  <li class="card">
                    <p class="small muted">
                      To <strong>{mail.to}</strong> · {formatDate(mail.createdAt)}
                    </p>
                    <h2>{mail.subject}</h2>
                    <p>{mail.body.replace(mail.link ?? '\u0000', '').replace(/:\s*$/, '.')}</p>
                    <Show when={mail.link}>{(link) => <a class="button primary" href={link()}>Open the link</a>}</Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </section>
  );
}
