import { createMemo, createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { createStore, produce, unwrap } from 'solid-js/store';
import { CAMPAIGN_METRIC_LABELS, checkExportSettings, problemsAt } from '../../../shared/crmExport/checkExportSettings.ts';
import { companyObject, peopleObject } from '../../../shared/crmExport/exportObjects.ts';
import type { CrmConnection, CrmField } from '../../../shared/schema/crm.ts';
import { CampaignMetric, ExportProblem, FieldDirection, type CrmUser, type ExportSettings, type ExportSettingsAnswer } from '../../../shared/schema/crmExport.ts';
import type { Field } from '../../../shared/schema/fields.ts';
import { ApiError } from '../../api/apiError.ts';
import { authApi } from '../../api/auth.ts';
import { api } from '../../api/client.ts';
import { connectionsApi } from '../../api/connections.ts';
import { canManage } from '../auth/session.ts';
import { connectionLabel, crmName } from '../crm/crmNames.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatDate, plural } from '../formatting.ts';
import { Link } from '../navigation.tsx';
import { exportSettingsApi } from './exportSettingsApi.ts';
import { propertyLabel, startingSettings, STEPS, stepOf, type StepId, writableProperties } from './settingsDraft.ts';
import './integration.css';

type Path = (string | number)[];

const DIRECTION_WORDS: Record<FieldDirection, string> = { to_crm: 'To CRM', from_crm: 'From CRM', two_way: 'Two-way' };

/** /connections/:id/integration: how one connection writes members back to its CRM, in four steps. */
export default function IntegrationSettingsPage(props: { id: string }) {
  const [loaded] = createResource(
    () => props.id,
    async (id) => {
      const [connection, answer, platformFields] = await Promise.all([connectionsApi.get(id), exportSettingsApi.get(id), api.listFields()]);
      return { connection, answer, platformFields };
    },
  );
  return (
    <section class="page integration-page">
      <p class="breadcrumb">
        <Link href="/connections">← Integrated systems</Link>
      </p>
      <Show when={loaded.error}>
        <ErrorNotice error={loaded.error} />
      </Show>
      <Show when={loaded()} fallback={<Show when={!loaded.error}><p class="muted">Loading the settings…</p></Show>} keyed>
        {(l) => <SettingsEditor connection={l.connection} answer={l.answer} platformFields={l.platformFields} />}
      </Show>
    </section>
  );
}

function SettingsEditor(props: { connection: CrmConnection; answer: ExportSettingsAnswer; platformFields: Field[] }) {
  const connection = props.connection;
  const crm = crmName(connection.kind);
  const readOnly = () => !canManage();
  const [draft, setDraft] = createStore<ExportSettings>(structuredClone(props.answer.settings ?? startingSettings(connection.kind)));
  const [saved, setSaved] = createSignal<ExportSettingsAnswer>(props.answer);
  const [step, setStep] = createSignal<StepId>('matching');
  const [serverProblems, setServerProblems] = createSignal<ExportProblem[]>([]);
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [justSaved, setJustSaved] = createSignal(false);

  const [peopleFields] = createResource(() => draft.people.target, (target) => connectionsApi.fields(connection.id, peopleObject(connection.kind, target)));
  const [companyFields] = createResource(() => (draft.companies ? 'on' : null), () => connectionsApi.fields(connection.id, companyObject(connection.kind)));
  const [crmUsers] = createResource(() => exportSettingsApi.crmUsers(connection.id));
  const [members] = createResource(() => authApi.members().catch(() => []));
  const sensitive = () => new Set(saved().sensitiveFields);
  const platformLabel = (key: string) => props.platformFields.find((f) => f.key === key)?.label ?? key;
  const peopleWord = () => (draft.people.target === 'lead' ? 'Leads' : 'Contacts');

  const liveProblems = createMemo<ExportProblem[] | null>(() => {
    const fields = peopleFields();
    if (!fields || (draft.companies && !companyFields())) return null;
    return checkExportSettings(JSON.parse(JSON.stringify(draft)) as ExportSettings, {
      crmName: crm,
      people: { label: peopleWord(), fields },
      companies: draft.companies && companyFields() ? { label: 'Accounts', fields: companyFields() ?? [] } : null,
      platformFields: props.platformFields.map((f) => ({ key: f.key, label: f.label, sensitive: sensitive().has(f.key) })),
      crmUsers: crmUsers() ?? null,
    });
  });
  /** What the page shows: the live check, plus what the Worker answered to the last save (until the next edit). */
  const problems = createMemo(() => {
    const seen = new Set<string>();
    return [...(liveProblems() ?? []), ...serverProblems()].filter((p) => {
      const key = `${p.path.join('.')}|${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
  const edit = (fn: (s: ExportSettings) => void) => {
    setDraft(produce(fn));
    setServerProblems([]);
    setJustSaved(false);
  };

  async function save() {
    setSaving(true);
    setError(null);
    setJustSaved(false);
    try {
      const answer = await exportSettingsApi.save(connection.id, { settings: structuredClone(unwrap(draft)), baseVersion: saved().version });
      setSaved(answer);
      setServerProblems([]);
      setJustSaved(true);
    } catch (e) {
      const details = e instanceof ApiError && e.code === 'export_settings_invalid' ? ExportProblem.array().safeParse(e.details) : null;
      if (details?.success) setServerProblems(details.data);
      else setError(e);
    } finally {
      setSaving(false);
    }
  }

  const stepProblems = (id: StepId) => problems().filter((p) => stepOf(p) === id);

  return (
    <>
      <header class="integration-head">
        <h1>Integration settings</h1>
        <p class="muted">
          How <strong>{connectionLabel(connection)}</strong> receives your audiences when someone presses “Sync to CRM”.
          <Show when={saved().updatedAt}> Last saved {formatDate(saved().updatedAt ?? '')} by {saved().updatedBy}.</Show>
        </p>
      </header>
      <Show when={readOnly()}>
        <div class="notice info" role="status" data-testid="read-only">
          <div class="notice-body">You can look at these settings; only admins and the key contact can change them.</div>
        </div>
      </Show>

      <nav class="steps" aria-label="Steps">
        <For each={STEPS}>
          {(s, i) => (
            <button type="button" class="step" aria-current={step() === s.id ? 'step' : undefined} onClick={() => setStep(s.id)} data-testid={`step-${s.id}`}>
              <span class="step-number">{i() + 1}</span>
              {s.title}
              <Show when={stepProblems(s.id).length}>
                <span class="badge warn" title="problems to fix">
                  {stepProblems(s.id).length}
                </span>
              </Show>
            </button>
          )}
        </For>
      </nav>

      <fieldset class="card integration-step" disabled={readOnly()}>
        <Show when={step() === 'matching'}>
          <h2>1 · Matching</h2>
          <p class="muted">Which record in {crm} a member is. Identifiers are tried in order; the first that finds exactly one record wins. A member no identifier finds becomes a new record.</p>
          <div class="choice-row" role="radiogroup" aria-label="Send people as">
            <span>Send people as</span>
            <label>
              <input type="radio" name="target" checked={draft.people.target === 'contact'} onChange={() => edit((s) => void (s.people.target = 'contact'))} /> Contacts
            </label>
            <label>
              <input type="radio" name="target" checked={draft.people.target === 'lead'} onChange={() => edit((s) => void (s.people.target = 'lead'))} /> Leads
            </label>
          </div>
          <h3>Identifiers</h3>
          <ListRows
            rows={draft.people.identifiers}
            path={['people', 'identifiers']}
            problems={problems()}
            head={['Order', 'Platform field', `${crm} property`]}
            canRemove={draft.people.identifiers.length > 1}
            onRemove={(i) => edit((s) => void s.people.identifiers.splice(i, 1))}
            addLabel="Add identifier"
            canAdd={draft.people.identifiers.length < 5}
            onAdd={() => edit((s) => void s.people.identifiers.push({ platformField: 'email', crmProperty: '' }))}
          >
            {(identifier, i) => (
              <>
                <td class="order">
                  {i() + 1}
                  <button type="button" class="link" aria-label="Move up" disabled={i() === 0} onClick={() => edit((s) => moveUp(s.people.identifiers, i()))}>
                    ↑
                  </button>
                </td>
                <td>
                  <PlatformSelect fields={props.platformFields} value={identifier.platformField} label={`Identifier ${i() + 1}: platform field`} onChange={(v) => edit((s) => void (s.people.identifiers[i()]!.platformField = v))} />
                </td>
                <td>
                  <PropertySelect fields={(peopleFields() ?? []).filter((f) => f.filterable)} value={identifier.crmProperty} label={`Identifier ${i() + 1}: ${crm} property`} onChange={(v) => edit((s) => void (s.people.identifiers[i()]!.crmProperty = v))} />
                </td>
              </>
            )}
          </ListRows>

          <h3>Companies</h3>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.companies !== null}
              onChange={(e) =>
                edit((s) => void (s.companies = e.currentTarget.checked ? { identifier: { platformField: 'company', crmProperty: connection.kind === 'salesforce' ? 'Name' : 'name' }, fields: [], fixed: [] } : null))
              }
            />{' '}
            Also write companies as Accounts, linked to their people
          </label>
          <Show when={draft.companies}>
            {(companies) => (
              <div class="company-row">
                <PlatformSelect fields={props.platformFields} value={companies().identifier.platformField} label="Company: platform field" onChange={(v) => edit((s) => void (s.companies!.identifier.platformField = v))} />
                <span aria-hidden="true">→</span>
                <PropertySelect fields={(companyFields() ?? []).filter((f) => f.filterable)} value={companies().identifier.crmProperty} label="Company: Account property" onChange={(v) => edit((s) => void (s.companies!.identifier.crmProperty = v))} />
                <RowProblemList problems={problemsAt(problems(), ['companies'])} />
              </div>
            )}
          </Show>

          <h3>Sensitive fields</h3>
          <Show when={saved().sensitiveFields.length} fallback={<p class="muted small">No field is sensitive in your audiences.</p>}>
            <p class="muted small">These fields are stored sealed. Their values are sent to {crm} only if you allow it here; every change is recorded in the history.</p>
            <For each={saved().sensitiveFields}>
              {(key) => (
                <label class="check">
                  <input
                    type="checkbox"
                    checked={draft.sensitiveAllowed.includes(key)}
                    onChange={(e) => edit((s) => void (s.sensitiveAllowed = e.currentTarget.checked ? [...s.sensitiveAllowed, key] : s.sensitiveAllowed.filter((k) => k !== key)))}
                  />{' '}
                  Allow sending {platformLabel(key)}
                </label>
              )}
            </For>
          </Show>
        </Show>

        <Show when={step() === 'mapping'}>
          <h2>2 · Export mapping</h2>
          <p class="muted">Which platform field fills which {crm} property, and who wins when both sides change it.</p>
          <RowProblemList problems={problems().filter((p) => p.path.length === 1 && p.path[0] === 'people')} />
          {/* Six columns: narrower pickers fit the card at desktop widths, and the table scrolls inside the card below that. */}
          <ListRows
            rows={draft.people.fields}
            path={['people', 'fields']}
            problems={problems()}
            class="mapping-table"
            head={['Platform field', `${crm} property`, 'Direction', 'Overwrite', 'Default on create']}
            onRemove={(i) => edit((s) => void s.people.fields.splice(i, 1))}
            hint={`Overwrite off: a push fills the property only while it is empty in ${crm}. Two-way: the side changed most recently wins; conflicts are listed in the run report.`}
            addLabel="Add field"
            onAdd={() => edit((s) => void s.people.fields.push({ platformField: 'first_name', crmProperty: '', direction: 'to_crm', overwrite: true, defaultOnCreate: null }))}
          >
            {(mapping, i) => (
              <>
                <td>
                  <PlatformSelect fields={props.platformFields} value={mapping.platformField} label={`Mapping ${i() + 1}: platform field`} onChange={(v) => edit((s) => void (s.people.fields[i()]!.platformField = v))} />
                </td>
                <td>
                  <PropertySelect fields={writableOr(peopleFields(), mapping.direction === 'from_crm')} value={mapping.crmProperty} label={`Mapping ${i() + 1}: ${crm} property`} onChange={(v) => edit((s) => void (s.people.fields[i()]!.crmProperty = v))} />
                </td>
                <td>
                  <select aria-label={`Mapping ${i() + 1}: direction`} value={mapping.direction} onChange={(e) => edit((s) => void (s.people.fields[i()]!.direction = FieldDirection.parse(e.currentTarget.value)))}>
                    <For each={FieldDirection.options}>{(d) => <option value={d}>{DIRECTION_WORDS[d]}</option>}</For>
                  </select>
                </td>
                <td class="center">
                  <input type="checkbox" aria-label={`Mapping ${i() + 1}: overwrite the CRM's value`} checked={mapping.overwrite} onChange={(e) => edit((s) => void (s.people.fields[i()]!.overwrite = e.currentTarget.checked))} />
                </td>
                <td>
                  <input
                    type="text"
                    aria-label={`Mapping ${i() + 1}: default on create`}
                    placeholder="none"
                    value={mapping.defaultOnCreate ?? ''}
                    onChange={(e) => edit((s) => void (s.people.fields[i()]!.defaultOnCreate = e.currentTarget.value === '' ? null : e.currentTarget.value))}
                  />
                </td>
              </>
            )}
          </ListRows>

          <ValueRows
            title="Fixed fields"
            hint={`Always written with the same value, e.g. Lead Source = Platform.`}
            rows={draft.people.fixed}
            path={['people', 'fixed']}
            fields={peopleFields() ?? []}
            problems={problems()}
            crm={crm}
            onAdd={() => edit((s) => void s.people.fixed.push({ crmProperty: '', value: '' }))}
            onChange={(i, row) => edit((s) => void Object.assign(s.people.fixed[i]!, row))}
            onRemove={(i) => edit((s) => void s.people.fixed.splice(i, 1))}
          />
          <ValueRows
            title="Engagement fields"
            hint="Set to this value only on members who took part in a campaign, e.g. Engaged by platform = Yes."
            rows={draft.people.engagement}
            path={['people', 'engagement']}
            fields={peopleFields() ?? []}
            problems={problems()}
            crm={crm}
            onAdd={() => edit((s) => void s.people.engagement.push({ crmProperty: '', value: '' }))}
            onChange={(i, row) => edit((s) => void Object.assign(s.people.engagement[i]!, row))}
            onRemove={(i) => edit((s) => void s.people.engagement.splice(i, 1))}
          />

          <h3>Export-time fields</h3>
          <p class="muted small">Whoever presses “Sync to CRM” types their value then (a campaign name, a batch label).</p>
          <ListRows
            rows={draft.people.exportTime}
            path={['people', 'exportTime']}
            problems={problems()}
            onRemove={(i) => edit((s) => void s.people.exportTime.splice(i, 1))}
            addLabel="Add export-time field"
            canAdd={draft.people.exportTime.length < 20}
            onAdd={() => edit((s) => void s.people.exportTime.push({ crmProperty: '', label: 'Campaign', required: false }))}
          >
            {(row, i) => (
              <>
                <td>
                  <PropertySelect fields={writableProperties(peopleFields() ?? [])} value={row.crmProperty} label={`Export-time field ${i() + 1}: ${crm} property`} onChange={(v) => edit((s) => void (s.people.exportTime[i()]!.crmProperty = v))} />
                </td>
                <td>
                  <input type="text" aria-label={`Export-time field ${i() + 1}: question`} placeholder="What to ask" value={row.label} onChange={(e) => edit((s) => void (s.people.exportTime[i()]!.label = e.currentTarget.value))} />
                </td>
                <td>
                  <label class="check">
                    <input type="checkbox" checked={row.required} onChange={(e) => edit((s) => void (s.people.exportTime[i()]!.required = e.currentTarget.checked))} /> Required
                  </label>
                </td>
              </>
            )}
          </ListRows>
        </Show>

        <Show when={step() === 'campaign'}>
          <h2>3 · Campaign mapping</h2>
          <p class="muted">Campaign results written to {crm} text properties on each pushed member. Leave a metric empty to not write it.</p>
          <table class="settings-table">
            <tbody>
              <For each={CampaignMetric.options}>
                {(metric) => (
                  <Row problems={problemsAt(problems(), ['people', 'campaign', metric])} columns={2}>
                    <th scope="row">{CAMPAIGN_METRIC_LABELS[metric]}</th>
                    <td>
                      <PropertySelect
                        fields={writableProperties(peopleFields() ?? []).filter((f) => f.text)}
                        value={draft.people.campaign[metric] ?? ''}
                        empty="Not written"
                        label={`${CAMPAIGN_METRIC_LABELS[metric]}: ${crm} property`}
                        onChange={(v) => edit((s) => void (v ? (s.people.campaign[metric] = v) : delete s.people.campaign[metric]))}
                      />
                    </td>
                  </Row>
                )}
              </For>
            </tbody>
          </table>
        </Show>

        <Show when={step() === 'owners'}>
          <h2>4 · Owners</h2>
          <p class="muted">Who owns the records a push creates in {crm}.</p>
          <label class="stacked">
            Owner of each member
            <select value={draft.owners.ownerField ?? ''} onChange={(e) => edit((s) => void (s.owners.ownerField = e.currentTarget.value || null))}>
              <option value="">The user who presses “Sync to CRM”</option>
              <For each={props.platformFields}>{(f) => <option value={f.key} selected={f.key === draft.owners.ownerField}>The platform user in “{f.label}”</option>}</For>
            </select>
          </label>
          <h3>Platform users ↔ {crm} users</h3>
          <p class="muted small">A member whose owner is one of these platform users gets the {crm} user beside it as the owner of their record.</p>
          <ListRows
            rows={draft.owners.users}
            path={['owners', 'users']}
            problems={problems()}
            onRemove={(i) => edit((s) => void s.owners.users.splice(i, 1))}
            addLabel="Add user"
            canAdd={!!members()?.length && !!crmUsers()?.length}
            onAdd={() => edit((s) => void s.owners.users.push({ platformUserEmail: members()?.[0]?.email ?? '', crmUserId: crmUsers()?.find((u) => u.active)?.id ?? '' }))}
          >
            {(row, i) => (
              <>
                <td>
                  <select aria-label={`Owner ${i() + 1}: platform user`} value={row.platformUserEmail} onChange={(e) => edit((s) => void (s.owners.users[i()]!.platformUserEmail = e.currentTarget.value))}>
                    <For each={members() ?? []}>{(m) => <option value={m.email} selected={m.email === row.platformUserEmail}>{`${m.name} (${m.email})`}</option>}</For>
                    <Show when={!(members() ?? []).some((m) => m.email === row.platformUserEmail)}>
                      <option value={row.platformUserEmail}>{row.platformUserEmail}</option>
                    </Show>
                  </select>
                </td>
                <td>
                  <UserSelect users={crmUsers() ?? []} value={row.crmUserId} label={`Owner ${i() + 1}: ${crm} user`} onChange={(v) => edit((s) => void (s.owners.users[i()]!.crmUserId = v ?? ''))} />
                </td>
              </>
            )}
          </ListRows>
          <label class="stacked">
            Default owner, when no user matches
            <UserSelect users={crmUsers() ?? []} value={draft.owners.defaultOwnerId} empty={`${crm}'s own default (the connection's user)`} label="Default owner" onChange={(v) => edit((s) => void (s.owners.defaultOwnerId = v))} />
          </label>
          <RowProblemList problems={problemsAt(problems(), ['owners', 'defaultOwnerId'])} />
          <Show when={crmUsers.error}>
            <ErrorNotice error={crmUsers.error} />
          </Show>
        </Show>
      </fieldset>

      <div class="card save-bar" data-testid="save-bar">
        <Show when={liveProblems() !== null} fallback={<span class="muted">Checking against {crm}…</span>}>
          <Show when={problems().length} fallback={<span class="ok-text">✓ These settings fit {crm}.</span>}>
            <div class="problem-summary" role="status">
              <strong>{plural(problems().length, 'problem')} to fix before saving</strong>
              <ul>
                <For each={problems().slice(0, 8)}>
                  {(p) => (
                    <li>
                      <button type="button" class="link" onClick={() => setStep(stepOf(p))}>
                        {STEPS.find((s) => s.id === stepOf(p))?.title}:
                      </button>{' '}
                      {p.message}
                    </li>
                  )}
                </For>
              </ul>
            </div>
          </Show>
        </Show>
        <span class="spacer" />
        <Show when={justSaved()}>
          <span class="ok-text" role="status" data-testid="saved">
            Saved (version {saved().version}).
          </span>
        </Show>
        <Show when={!readOnly()}>
          <button type="button" class="primary" disabled={saving()} onClick={() => void save()}>
            {saving() ? 'Saving…' : 'Save settings'}
          </button>
        </Show>
      </div>
      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>
    </>
  );
}

function moveUp<T>(list: T[], i: number): void {
  const [item] = list.splice(i, 1);
  if (item !== undefined) list.splice(i - 1, 0, item);
}

/** The properties a mapping may pick: every readable one for From CRM, the writable ones otherwise. */
function writableOr(fields: CrmField[] | undefined, readOnly: boolean): CrmField[] {
  const all = fields ?? [];
  return readOnly ? [...all].sort((a, b) => a.label.localeCompare(b.label)) : writableProperties(all);
}

/**
 * One list setting (identifiers, mappings, fixed / engagement / export-time fields, user pairs) as a table: each
 * row's cells from `children`, then its Remove button, its problems under it; a hint, then the Add button.
 */
function ListRows<T>(props: {
  rows: T[];
  path: Path;
  problems: ExportProblem[];
  /** Column titles (the Remove column has none); no header row without them. */
  head?: string[];
  class?: string;
  canRemove?: boolean;
  onRemove: (i: number) => void;
  hint?: string;
  addLabel: string;
  canAdd?: boolean;
  onAdd: () => void;
  children: (row: T, i: () => number) => JSX.Element;
}) {
  // The problem row under a row spans all its cells; without a header the count is not known, and a wider span is harmless.
  const columns = () => (props.head ? props.head.length + 1 : 6);
  return (
    <>
      <div class="table-scroll">
        <table class={`settings-table${props.class ? ` ${props.class}` : ''}`}>
          <Show when={props.head}>
            {(head) => (
              <thead>
                <tr>
                  <For each={head()}>{(title) => <th>{title}</th>}</For>
                  <th />
                </tr>
              </thead>
            )}
          </Show>
          <tbody>
            <For each={props.rows}>
              {(row, i) => (
                <Row problems={problemsAt(props.problems, [...props.path, i()])} columns={columns()}>
                  {props.children(row, i)}
                  <td>
                    <button type="button" class="link danger" disabled={props.canRemove === false} onClick={() => props.onRemove(i())}>
                      Remove
                    </button>
                  </td>
                </Row>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={props.hint}>
        <p class="muted small">{props.hint}</p>
      </Show>
      <button type="button" disabled={props.canAdd === false} onClick={() => props.onAdd()}>
        {props.addLabel}
      </button>
    </>
  );
}

/** A table row with its problems under it, each in words at the setting it concerns. */
function Row(props: { problems: ExportProblem[]; columns: number; children: JSX.Element }) {
  return (
    <>
      <tr classList={{ 'has-problem': props.problems.length > 0 }}>{props.children}</tr>
      <Show when={props.problems.length}>
        <tr class="problem-row">
          <td colSpan={props.columns}>
            <RowProblemList problems={props.problems} />
          </td>
        </tr>
      </Show>
    </>
  );
}

function RowProblemList(props: { problems: ExportProblem[] }) {
  return (
    <Show when={props.problems.length}>
      <ul class="row-problems">
        <For each={props.problems}>{(p) => <li data-problem={p.code}>{p.message}</li>}</For>
      </ul>
    </Show>
  );
}

function PlatformSelect(props: { fields: Field[]; value: string; label: string; onChange: (key: string) => void }) {
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <For each={props.fields}>{(f) => <option value={f.key} selected={f.key === props.value}>{f.label}</option>}</For>
      <Show when={!props.fields.some((f) => f.key === props.value)}>
        <option value={props.value}>{props.value} (not in this workspace)</option>
      </Show>
    </select>
  );
}

/** CRM properties by label; a chosen one the CRM no longer offers stays visible, so the problem can be seen. */
function PropertySelect(props: { fields: CrmField[]; value: string; label: string; empty?: string; onChange: (name: string) => void }) {
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">{props.empty ?? 'Choose a property…'}</option>
      <For each={props.fields}>
        {(f) => (
          <option value={f.name} selected={f.name === props.value}>
            {propertyLabel(f)}
            {f.requiredOnCreate ? ' · required' : ''}
          </option>
        )}
      </For>
      <Show when={props.value && !props.fields.some((f) => f.name === props.value)}>
        <option value={props.value} selected>
          {props.value}
        </option>
      </Show>
    </select>
  );
}

function UserSelect(props: { users: CrmUser[]; value: string | null; label: string; empty?: string; onChange: (id: string | null) => void }) {
  return (
    <select aria-label={props.label} value={props.value ?? ''} onChange={(e) => props.onChange(e.currentTarget.value || null)}>
      <Show when={props.empty}>
        <option value="">{props.empty}</option>
      </Show>
      <For each={props.users}>{(u) => <option value={u.id} selected={u.id === props.value}>{`${u.name}${u.email ? ` (${u.email})` : ''}${u.active ? '' : ' — inactive'}`}</option>}</For>
      <Show when={props.value && !props.users.some((u) => u.id === props.value)}>
        <option value={props.value ?? ''}>{props.value}</option>
      </Show>
    </select>
  );
}

/** Fixed or engagement fields: a property and the value it gets (a choice from its picklist when it has one). */
function ValueRows(props: {
  title: string;
  hint: string;
  rows: { crmProperty: string; value: string }[];
  path: Path;
  fields: CrmField[];
  problems: ExportProblem[];
  crm: string;
  onAdd: () => void;
  onChange: (i: number, row: Partial<{ crmProperty: string; value: string }>) => void;
  onRemove: (i: number) => void;
}) {
  const byName = () => new Map(props.fields.map((f) => [f.name, f]));
  /** The choices a value picks from: a picklist's labels, Yes/No for a checkbox; none for free values. */
  const choicesOf = (name: string): string[] | undefined => {
    const field = byName().get(name);
    if (field?.options) return field.options.map((o) => o.label);
    return field?.type === 'boolean' ? ['Yes', 'No'] : undefined;
  };
  return (
    <>
      <h3>{props.title}</h3>
      <p class="muted small">{props.hint}</p>
      <ListRows rows={props.rows} path={props.path} problems={props.problems} onRemove={props.onRemove} addLabel={`Add ${props.title.toLowerCase().replace(/s$/, '')}`} onAdd={props.onAdd}>
        {(row, i) => (
          <>
            <td>
              <PropertySelect fields={writableProperties(props.fields)} value={row.crmProperty} label={`${props.title} ${i() + 1}: ${props.crm} property`} onChange={(v) => props.onChange(i(), { crmProperty: v })} />
            </td>
            <td>
              <Show
                when={choicesOf(row.crmProperty)}
                fallback={<input type="text" aria-label={`${props.title} ${i() + 1}: value`} value={row.value} onChange={(e) => props.onChange(i(), { value: e.currentTarget.value })} />}
              >
                {(options) => (
                  <select aria-label={`${props.title} ${i() + 1}: value`} value={row.value} onChange={(e) => props.onChange(i(), { value: e.currentTarget.value })}>
                    <option value="">Choose a value…</option>
                    <For each={options()}>{(label) => <option value={label} selected={label === row.value}>{label}</option>}</For>
                    <Show when={row.value && !options().includes(row.value)}>
                      <option value={row.value}>{row.value}</option>
                    </Show>
                  </select>
                )}
              </Show>
            </td>
          </>
        )}
      </ListRows>
    </>
  );
}
