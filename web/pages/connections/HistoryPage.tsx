import { createSignal, For } from 'solid-js';
import { ChangeSubjectKind } from '../../../shared/schema/history.ts';
import { historyApi } from '../../api/history.ts';
import { ChangeHistoryList } from './ChangeHistoryList.tsx';
import { SUBJECT_KIND_LABELS } from './historyWords.ts';
import './changeControl.css';

/** /history: every recorded change of the workspace (integrations, tables, templates, syncs, roles, tokens). */
export default function HistoryPage() {
  const [kind, setKind] = createSignal<ChangeSubjectKind | ''>('');
  return (
    <section class="page">
      <header>
        <h1>Change history</h1>
        <p>Who changed the workspace’s integrations, tables, mapping templates, syncs, members and API tokens, when, and what exactly changed.</p>
      </header>
      <div class="card">
        <label class="history-filter">
          Show{' '}
          <select value={kind()} onChange={(e) => setKind(ChangeSubjectKind.safeParse(e.currentTarget.value).data ?? '')}>
            <option value="">All changes</option>
            <For each={ChangeSubjectKind.options}>{(k) => <option value={k}>{SUBJECT_KIND_LABELS[k]}</option>}</For>
          </select>
        </label>
        <ChangeHistoryList
          key={kind()}
          showSubjectKind
          load={(cursor) => {
            const k = kind();
            return historyApi.list({ ...(k ? { kind: k } : {}), ...(cursor ? { cursor } : {}) });
          }}
        />
      </div>
    </section>
  );
}
