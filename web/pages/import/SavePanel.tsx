import { Match, Show, Switch } from 'solid-js';
import { ApiError } from '../../api/apiError.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatCount, plural } from '../formatting.ts';
import type { ImportSession } from './importSession.ts';
import { DryRunPanel } from './DryRunPanel.tsx';
import { SaveOptions } from './SaveOptions.tsx';
import { SaveSummary } from './SaveSummary.tsx';
import { privacyOn } from '../../import/privacyChoice.ts';
import { describeCountrySuggestion } from '../../../shared/normalize/suggestCountry.ts';

const regionName = (code: string): string => {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
};

/** Below the grid: where the rows go, consent, Save (or the reason it can't be pressed yet), and save progress. */
export function SavePanel(props: { session: ImportSession }) {
  const s = props.session;
  const sending = () => {
    const p = s.phase();
    return p.kind === 'sending' || p.kind === 'paused' ? p : null;
  };
  const percent = () => {
    const p = sending()?.progress;
    return p && p.totalRows > 0 ? Math.round((p.rowsDone / p.totalRows) * 100) : 0;
  };
  return (
    <section class="card" aria-labelledby="save-heading">
      <h2 id="save-heading">Save to an audience</h2>
      <Show
        when={s.resumable()}
        fallback={
          <>
            <SaveOptions
              audiences={s.audiences()}
              audience={s.audience()}
              onAudience={s.setAudience}
              onMatch={s.onMatch()}
              onOnMatch={s.setOnMatch}
              defaultCountry={s.defaultCountry()}
              onDefaultCountry={s.setDefaultCountry}
              countryFromData={(() => {
                const suggestion = s.countrySuggestion();
                return suggestion ? `Chosen from the file: ${describeCountrySuggestion(suggestion, regionName)}.` : null;
              })()}
              privacy={s.privacy()}
              onPrivacy={s.setPrivacy}
              sensitiveColumns={s.sensitiveColumns()}
              disabled={s.locked()}
            />
            {/* Read before consenting: what the import leaves out, rewrites or takes on trust. */}
            <Show when={!sending()}>
              <SaveSummary session={s} />
            </Show>
            <label class={`consent${s.consent() ? ' checked' : ''}`}>
              <input type="checkbox" checked={s.consent()} disabled={s.locked()} onChange={(e) => s.setConsent(e.currentTarget.checked)} />
              <span>
                I confirm double opt-in consent was obtained for every contact in this list
                <br />
                <span class="muted small" style={{ 'font-weight': 400 }}>
                  Contacts confirmed their subscription twice (sign-up and a confirmation link). Lists without it cannot be imported.
                </span>
              </span>
            </label>
          </>
        }
      >
        {(open) => (
          <Show when={!sending()}>
          <div class="notice info" data-testid="resume-notice">
            <div class="notice-body">
              This file belongs to an import into <strong>{s.pending()?.audienceName || 'an audience'}</strong> that stopped before it finished
              ({plural(open().counts.received, 'row')} of {formatCount(open().expectedRows ?? s.rowCount())} already stored). Resuming sends the
              remaining rows with the mapping chosen then.
            </div>
            <div class="notice-actions">
              <button type="button" class="link" disabled={s.busy()} onClick={() => s.startOver()}>
                Start a new import instead
              </button>
            </div>
          </div>
          </Show>
        )}
      </Show>

      {/* The dry run sends the rows as they are: never in privacy mode, where no plain value may leave the tab. */}
      <Show when={!s.resumable() && !sending() && !privacyOn(s.privacy())}>
        <DryRunPanel session={s} />
      </Show>

      {/* While rows are on their way the progress below is the only control: a second Save would start a second import. */}
      <div class="save-bar" hidden={sending() !== null}>
        <button
          type="button"
          class="primary large"
          disabled={s.busy() || s.blocker() !== null}
          aria-describedby="save-reason"
          onClick={() => void s.save()}
        >
          {s.resumable() ? 'Resume import' : 'Save'}
        </button>
        <Show when={s.blocker()}>
          {(reason) => (
            <span id="save-reason" class="reason" data-testid="save-reason">
              {reason()}
            </span>
          )}
        </Show>
        <Show when={!s.blocker() && !s.busy() && (s.problems()?.rejectedRows ?? 0) > 0}>
          <span class="muted small" data-testid="rejected-preview">
            {plural(s.problems()?.rejectedRows ?? 0, 'row')} will be rejected as the file stands: fix the marked cells in the grid, or save and
            find them in the report.
          </span>
        </Show>
        <Show when={s.phase().kind === 'starting'}>
          <span class="muted">Starting the import…</span>
        </Show>
      </div>

      <Show when={sending()}>
        {(p) => (
          <div class="progress" style={{ 'margin-top': 'var(--space-5)' }} role="status" aria-live="polite" data-testid="save-progress">
            <div class="progress-label">
              <span>{p().kind === 'paused' ? 'Import paused' : 'Saving rows…'}</span>
              <span class="muted num">
                {formatCount(p().progress?.rowsDone ?? 0)} of {plural(p().progress?.totalRows ?? s.rowCount(), 'row')} stored · {percent()}%
              </span>
            </div>
            <progress max="100" value={percent()} aria-label="Rows stored" />
            <Show when={p().kind === 'sending'}>
              <span class="muted small">Keep this page open until every row is stored: leaving stops the import (it can be resumed later).</span>
            </Show>
            <Show when={p().kind === 'sending' && (p() as { retrying: string | null }).retrying}>
              {(message) => <span class="muted small">{message()}</span>}
            </Show>
          </div>
        )}
      </Show>

      <Switch>
        <Match when={s.phase().kind === 'paused'}>
          <div class="notice warn" role="alert" style={{ 'margin-top': 'var(--space-4)' }} data-testid="paused-notice">
            <div class="notice-body">
              {(s.phase() as { error: ApiError }).error.isNetwork
                ? 'The connection to the server was lost.'
                : `The server is not answering properly (${(s.phase() as { error: ApiError }).error.message}).`}{' '}
              Every row sent so far is stored; nothing was lost. The import goes on by itself when the connection is back, or:
            </div>
            <div class="notice-actions">
              <button type="button" class="primary" onClick={() => s.resume()}>
                Resume now
              </button>
            </div>
          </div>
        </Match>
        <Match when={s.phase().kind === 'failed'}>
          <div style={{ 'margin-top': 'var(--space-4)' }}>
            <ErrorNotice error={(s.phase() as { error: unknown }).error} />
          </div>
        </Match>
      </Switch>
      <Show when={s.templateWarning()}>
        {(w) => <p class="muted small">{w()}</p>}
      </Show>
    </section>
  );
}
