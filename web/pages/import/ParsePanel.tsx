import { For, Show } from 'solid-js';
import { CANDIDATE_DELIMITERS, type CsvEncoding, ENCODING_LABELS } from '../../../shared/csv/index.ts';
import { formatBytes, formatCount, plural } from '../formatting.ts';
import type { ImportSession } from './importSession.ts';

const DELIMITER_NAMES: Record<string, string> = { ',': 'Comma ( , )', ';': 'Semicolon ( ; )', '\t': 'Tab', '|': 'Pipe ( | )' };
const delimiterName = (d: string) => DELIMITER_NAMES[d] ?? `“${d}”`;
const ENCODINGS = Object.keys(ENCODING_LABELS) as CsvEncoding[];

/** Reading progress, what was detected about the file, the controls to correct it, and problems with it. */
export function ParsePanel(props: { session: ImportSession }) {
  const s = props.session;
  const percent = () => {
    const p = s.progress();
    return p && p.totalBytes > 0 ? Math.min(100, Math.round((p.bytesRead / p.totalBytes) * 100)) : 0;
  };
  return (
    <>
      <Show when={s.parsing()}>
        <div class="progress" role="status" aria-live="polite" data-testid="parse-progress">
          <div class="progress-label">
            <span>Reading {s.file()?.name}…</span>
            <span class="muted num">
              {plural(s.progress()?.rows ?? 0, 'row')} · {percent()}%
            </span>
          </div>
          <progress max="100" value={percent()} aria-label="Reading the file" />
        </div>
      </Show>

      <Show when={s.failure()}>
        {(f) => (
          <div class="notice error" role="alert" data-testid="parse-error">
            <div class="notice-body">
              <strong>{s.file()?.name} cannot be imported.</strong> {f().message}
              <Show when={f().row !== null && f().code !== 'empty_file' && f().code !== 'header_only'}> (near row {f().row})</Show>
            </div>
          </div>
        )}
      </Show>

      {/* CRM rows have a header too, but no file to describe. */}
      <Show when={s.file() ? s.header() : null}>
        {(h) => (
          <div class="file-info" data-testid="file-info">
            <dl>
              <div>
                <dt>File</dt>
                <dd>{s.file()?.name}</dd>
              </div>
              <div>
                <dt>Size</dt>
                <dd class="num">{formatBytes(s.file()?.size ?? 0)}</dd>
              </div>
              <div>
                <dt>Rows</dt>
                <dd class="num" data-testid="row-count">
                  {formatCount(s.rowCount())}
                  {s.parsing() ? '…' : ''}
                </dd>
              </div>
              <div>
                <dt>Columns</dt>
                <dd class="num">{h().headers.length}</dd>
              </div>
            </dl>
            <div class="overrides">
              <div class="field">
                <label for="delimiter">Delimiter</label>
                <select id="delimiter" disabled={s.busy()} value={h().delimiter} onChange={(e) => s.reparse({ delimiter: e.currentTarget.value })}>
                  <For each={[...new Set([...CANDIDATE_DELIMITERS, h().delimiter])]}>{(d) => <option value={d}>{delimiterName(d)}</option>}</For>
                </select>
              </div>
              <div class="field">
                <label for="encoding">Encoding</label>
                <select
                  id="encoding"
                  disabled={s.busy()}
                  value={h().encoding}
                  onChange={(e) => s.reparse({ encoding: e.currentTarget.value as CsvEncoding })}
                >
                  <For each={ENCODINGS}>{(enc) => <option value={enc}>{ENCODING_LABELS[enc]}</option>}</For>
                </select>
              </div>
            </div>
          </div>
        )}
      </Show>

      {/* Detected up front or discovered late, Windows-1252 is a guess the user should check, unless they chose it. */}
      <Show when={(s.encodingFallback() || s.header()?.encoding === 'windows-1252') && !s.parseOptions().encoding && s.header()}>
        <div class="notice warn" role="status" data-testid="encoding-notice">
          <div class="notice-body">
            This file is not valid UTF-8, so it was read as <strong>{ENCODING_LABELS[s.header()?.encoding ?? 'windows-1252']}</strong>, the
            encoding Excel uses on Windows. Check that accented letters look right in the grid; if not, pick the right encoding above.
          </div>
        </div>
      </Show>

      <Show when={(s.summary()?.raggedRowCount ?? 0) > 0}>
        <div class="notice warn" role="status" data-testid="ragged-notice">
          <div class="notice-body">
            {plural(s.summary()?.raggedRowCount ?? 0, 'row has', 'rows have')} a different number of fields than the header
            ({s.header()?.headers.length}). They will be rejected and listed in the report; if many rows are affected, check the delimiter.
          </div>
        </div>
      </Show>

      <Show when={s.summary()?.malformedQuoteRow}>
        {(row) => (
          <div class="notice warn" role="status">
            <div class="notice-body">
              {plural(s.summary()?.malformedQuoteRowCount ?? 1, 'row has', 'rows have')} a quote in an unexpected place (like{' '}
              <code>"Smith" Jr</code>), the first is row {formatCount(row())}. They were read as a spreadsheet reads them, the quote kept
              as a character; check them in the grid.
            </div>
          </div>
        )}
      </Show>
    </>
  );
}
