import { Show } from 'solid-js';
import { formatDate } from '../formatting.ts';
import { navigate } from '../navigation.tsx';
import { DropZone } from './DropZone.tsx';
import { createImportSession } from './importSession.ts';
import { MappingPanel } from './MappingPanel.tsx';
import { ParsePanel } from './ParsePanel.tsx';
import { SavePanel } from './SavePanel.tsx';

export function ImportPage() {
  const session = createImportSession({ onFinished: (id) => navigate(`/imports/${encodeURIComponent(id)}/report`) });
  return (
    <section class="page">
      <header>
        <h1>Import contacts</h1>
        <p>
          Bring a contact list into an audience: map each column to a platform field, pick the column that identifies a contact, mark
          sensitive columns (stored only hashed and encrypted), and save.
        </p>
      </header>

      <Show when={session.pendingElsewhere()}>
        {(pending) => {
          const p = () => pending();
          return (
            <div class="notice info" role="status" data-testid="pending-import">
              <div class="notice-body">
                The import of <strong>{p()?.fileName}</strong> into <strong>{p()?.audienceName || 'an audience'}</strong>, started{' '}
                {formatDate(p()?.startedAt ?? '')}, did not finish. Select the same file again to resume it where it stopped.
              </div>
              <div class="notice-actions">
                <button type="button" onClick={() => session.forgetPending()}>
                  Forget it
                </button>
              </div>
            </div>
          );
        }}
      </Show>

      <div class="source-tabs">
        <section class="card" aria-labelledby="csv-heading" style={{ margin: 0 }}>
          <h2 id="csv-heading">CSV file</h2>
          <DropZone onFile={session.loadFile} compact={session.file() !== null} fileName={session.file()?.name} disabled={session.busy()} />
          <div style={{ 'margin-top': session.file() ? 'var(--space-4)' : '0' }}>
            <ParsePanel session={session} />
          </div>
        </section>
        <section class="card integrated-systems" aria-labelledby="crm-heading" data-testid="integrated-systems">
          <h2 id="crm-heading">Integrated systems</h2>
          <p class="empty-state">No CRM is connected yet.</p>
          <ul class="systems">
            <li>
              <span>Salesforce</span> <span class="badge">Not connected</span>
            </li>
            <li>
              <span>Microsoft Dynamics 365</span> <span class="badge">Not connected</span>
            </li>
          </ul>
          <p class="muted small">Importing straight from a CRM is coming soon. Until then, export a CSV from your CRM and drop it here.</p>
        </section>
      </div>

      <Show when={session.header() && session.store()}>
        <MappingPanel session={session} />
        <SavePanel session={session} />
      </Show>
    </section>
  );
}
