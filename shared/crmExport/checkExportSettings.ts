import type { CrmField } from '../schema/crm.ts';
import type { CampaignMetric, CrmUser, ExportFieldMapping, ExportProblem, ExportSettings } from '../schema/crmExport.ts';
import type { Field } from '../schema/fields.ts';
import { crmValueProblem } from './crmValue.ts';

/** A platform field as the checker needs it: sensitive when any audience of the workspace holds it sealed. */
export type PlatformField = Pick<Field, 'key' | 'label'> & { sensitive: boolean };

export type ExportCheckContext = {
  /** "Salesforce", "Dynamics 365": the name the messages use. */
  crmName: string;
  /** The people table's label in plural ("Contacts", "Leads") and its fields from the live describe. */
  people: { label: string; fields: readonly CrmField[] };
  /** Accounts: needed when `settings.companies` is set; null when not described (companies then unchecked). */
  companies: { label: string; fields: readonly CrmField[] } | null;
  platformFields: readonly PlatformField[];
  /** The CRM's users, when known: owners are then checked against them. */
  crmUsers?: readonly CrmUser[] | null;
};

export const CAMPAIGN_METRIC_LABELS: Record<CampaignMetric, string> = {
  sequence_details: 'Sequence details',
  engagement_status: 'Engagement status and step',
  opens: 'Opens',
  clicks: 'Clicks',
  open_analysis: 'Open analysis',
  click_analysis: 'Click analysis',
  reply_analysis: 'Reply analysis',
};

type Path = (string | number)[];
/** Link and id columns are set through owners and company links, never from a typed value. */
const LINK_TYPES = new Set(['reference', 'lookup', 'customer', 'owner', 'id', 'uniqueidentifier']);

/**
 * Everything wrong with export settings against the CRM as it is now (its live describe), in a marketer's words,
 * each at the setting it concerns. Pure: the settings page runs it while the user edits, the Worker again before
 * saving (answering 422 with the same list). Rules, in the order of the page: platform fields exist and sensitive
 * ones are allowed; every CRM property exists, can be written and is not a link column; campaign metrics only go to
 * text; fixed, default and engagement values fit the property (picklist labels, numbers, yes/no, dates, length);
 * identifiers can be searched; a property is written once; what the CRM requires on create is filled; owners exist.
 */
export function checkExportSettings(settings: ExportSettings, context: ExportCheckContext): ExportProblem[] {
  const problems: ExportProblem[] = [];
  const add = (path: Path, code: ExportProblem['code'], message: string) => problems.push({ path, code, message });
  const platform = new Map(context.platformFields.map((f) => [f.key, f]));
  const allowed = new Set(settings.sensitiveAllowed);
  const crm = context.crmName;

  const platformField = (key: string, path: Path, sent: boolean) => {
    const field = platform.get(key);
    if (!field) return add(path, 'unknown_platform_field', `The platform field “${key}” does not exist (anymore) in this workspace.`);
    if (sent && field.sensitive && !allowed.has(key)) {
      add(path, 'sensitive_not_allowed', `“${field.label}” is sensitive: it is sent to ${crm} only when an admin allows it under Sensitive fields.`);
    }
  };

  for (const [i, key] of settings.sensitiveAllowed.entries()) {
    if (!platform.has(key)) add(['sensitiveAllowed', i], 'unknown_platform_field', `The platform field “${key}” does not exist (anymore) in this workspace.`);
  }

  const people = settings.people;
  checkTable(context.people, ['people'], {
    identifiers: people.identifiers,
    fields: people.fields,
    fixed: people.fixed,
    exportTime: people.exportTime,
    engagement: people.engagement,
    campaign: people.campaign,
  });
  if (settings.companies && context.companies) {
    const companies = settings.companies;
    checkTable(context.companies, ['companies'], {
      identifiers: [companies.identifier],
      identifierPath: ['companies', 'identifier'],
      fields: companies.fields,
      fixed: companies.fixed,
      exportTime: [],
      engagement: [],
      campaign: {},
    });
  }
  checkOwners();
  return problems;

  function checkTable(
    table: { label: string; fields: readonly CrmField[] },
    base: Path,
    parts: {
      identifiers: readonly { platformField: string; crmProperty: string }[];
      identifierPath?: Path;
      fields: readonly ExportFieldMapping[];
      fixed: readonly { crmProperty: string; value: string }[];
      exportTime: readonly { crmProperty: string; required: boolean }[];
      engagement: readonly { crmProperty: string; value: string }[];
      campaign: Partial<Record<CampaignMetric, string>>;
    },
  ) {
    const byName = new Map(table.fields.map((f) => [f.name, f]));
    const labelOf = (name: string) => {
      const f = byName.get(name);
      return f ? `“${f.label}”` : `“${name}”`;
    };
    /** The property, or null after saying it does not exist or cannot take values. */
    const existing = (name: string, path: Path): CrmField | null => {
      const field = byName.get(name);
      if (!field) {
        add(path, 'unknown_property', `${crm} has no property “${name}” on ${table.label} (it may have been deleted or renamed).`);
        return null;
      }
      if (LINK_TYPES.has(field.type)) {
        add(path, 'unsupported_type', `${labelOf(name)} links to another record: it cannot be set from a value here.`);
        return null;
      }
      return field;
    };
    const writable = (field: CrmField, path: Path): boolean => {
      if (field.createable === false && field.updateable === false) {
        add(path, 'not_writable', `${labelOf(field.name)} cannot be written: ${crm} sets it itself or it is read-only for this connection.`);
        return false;
      }
      return true;
    };
    const value = (field: CrmField, text: string, path: Path) => {
      const wrong = crmValueProblem(field, text);
      if (wrong) add(path, 'invalid_value', `${labelOf(field.name)}: ${wrong}`);
    };

    /** Who writes each property, to catch a property written twice. */
    const writers = new Map<string, { what: string; platformField?: string }>();
    const written = (name: string, what: string, path: Path, platformField?: string) => {
      const earlier = writers.get(name);
      if (earlier && !(platformField && earlier.platformField === platformField)) {
        add(path, 'duplicate', `${labelOf(name)} is already written by ${earlier.what}: a property can get its value from one place only.`);
      } else if (!earlier) writers.set(name, { what, ...(platformField ? { platformField } : {}) });
    };
    const filledOnCreate = new Set<string>();

    for (const [i, identifier] of parts.identifiers.entries()) {
      const path = parts.identifierPath ?? [...base, 'identifiers', i];
      // Matching sends the value to the CRM as a search: a sensitive identifier is an export too.
      platformField(identifier.platformField, [...path, 'platformField'], true);
      const field = existing(identifier.crmProperty, [...path, 'crmProperty']);
      if (!field) continue;
      if (!field.filterable) add([...path, 'crmProperty'], 'unsupported_type', `${labelOf(field.name)} cannot be searched in ${crm}, so it cannot identify a record.`);
      // A record created because nothing matched is created with the values it was looked for by, or the next push
      // would not find it and would create it again.
      if (field.createable !== false) filledOnCreate.add(field.name);
      written(field.name, 'Matching', [...path, 'crmProperty'], identifier.platformField);
    }

    for (const [i, mapping] of parts.fields.entries()) {
      const path = [...base, 'fields', i];
      const sent = mapping.direction !== 'from_crm';
      platformField(mapping.platformField, [...path, 'platformField'], sent);
      const field = existing(mapping.crmProperty, [...path, 'crmProperty']);
      if (!field || !sent) continue;
      if (!writable(field, [...path, 'crmProperty'])) continue;
      written(field.name, 'Export mapping', [...path, 'crmProperty'], mapping.platformField);
      if (field.createable !== false) filledOnCreate.add(field.name);
      if (mapping.defaultOnCreate !== null) {
        if (field.createable === false) add([...path, 'defaultOnCreate'], 'not_writable', `${labelOf(field.name)} cannot be set when a record is created: remove the default.`);
        else value(field, mapping.defaultOnCreate, [...path, 'defaultOnCreate']);
      }
    }

    for (const [i, fixed] of parts.fixed.entries()) {
      const path = [...base, 'fixed', i];
      const field = existing(fixed.crmProperty, [...path, 'crmProperty']);
      if (!field || !writable(field, [...path, 'crmProperty'])) continue;
      written(field.name, 'Fixed fields', [...path, 'crmProperty']);
      value(field, fixed.value, [...path, 'value']);
      if (field.createable !== false) filledOnCreate.add(field.name);
    }

    for (const [i, exportTime] of parts.exportTime.entries()) {
      const path = [...base, 'exportTime', i];
      const field = existing(exportTime.crmProperty, [...path, 'crmProperty']);
      if (!field || !writable(field, [...path, 'crmProperty'])) continue;
      written(field.name, 'Export-time fields', [...path, 'crmProperty']);
      // Only a required export-time field is sure to have a value on every push.
      if (exportTime.required && field.createable !== false) filledOnCreate.add(field.name);
    }

    for (const [i, engagement] of parts.engagement.entries()) {
      const path = [...base, 'engagement', i];
      const field = existing(engagement.crmProperty, [...path, 'crmProperty']);
      if (!field || !writable(field, [...path, 'crmProperty'])) continue;
      written(field.name, 'Engagement fields', [...path, 'crmProperty']);
      value(field, engagement.value, [...path, 'value']);
    }

    for (const [metric, property] of Object.entries(parts.campaign) as [CampaignMetric, string | undefined][]) {
      if (!property) continue;
      const path = [...base, 'campaign', metric];
      const field = existing(property, path);
      if (!field || !writable(field, path)) continue;
      written(field.name, `Campaign mapping (${CAMPAIGN_METRIC_LABELS[metric]})`, path);
      if (field.text !== true) {
        add(path, 'metric_not_text', `${CAMPAIGN_METRIC_LABELS[metric]} is text: it can only go to a text property, and ${labelOf(field.name)} is ${article(field.type)} ${field.type} property.`);
      }
    }

    const missing = table.fields.filter((f) => f.requiredOnCreate === true && !filledOnCreate.has(f.name));
    if (missing.length) {
      const names = missing.map((f) => `“${f.label}”`);
      add(
        base,
        'required_not_covered',
        `${crm} needs ${joinWords(names)} to create ${table.label}: map ${missing.length > 1 ? 'them' : 'it'} in Export mapping, give ${missing.length > 1 ? 'them' : 'it'} a fixed value or a default on create.`,
      );
    }
  }

  function checkOwners() {
    const owners = settings.owners;
    if (owners.ownerField) platformField(owners.ownerField, ['owners', 'ownerField'], false);
    const users = context.crmUsers ? new Map(context.crmUsers.map((u) => [u.id, u])) : null;
    const user = (id: string, path: Path) => {
      if (!users) return;
      const found = users.get(id);
      if (!found) add(path, 'unknown_user', `${crm} has no user with the id “${id}” (anymore): pick another one.`);
      else if (!found.active) add(path, 'unknown_user', `${found.name} is no longer active in ${crm}: records cannot be given to them.`);
    };
    const seen = new Set<string>();
    for (const [i, mapping] of owners.users.entries()) {
      const email = mapping.platformUserEmail.toLowerCase();
      if (seen.has(email)) add(['owners', 'users', i, 'platformUserEmail'], 'duplicate', `${mapping.platformUserEmail} is mapped twice: keep one CRM user per platform user.`);
      seen.add(email);
      user(mapping.crmUserId, ['owners', 'users', i, 'crmUserId']);
    }
    if (owners.defaultOwnerId) user(owners.defaultOwnerId, ['owners', 'defaultOwnerId']);
  }
}

/**
 * The CRM fields required on create that the settings fill with nothing, by checkExportSettings' own rule, against
 * the CRM's describe as it is now. A push runs it again before it writes (preview and start): a field the CRM made
 * required after the settings were saved would otherwise fail every record the push creates. Only the tables'
 * describe matters here (platform fields and users are the save's concern), so problems of other kinds are left out.
 */
export function requiredNotCovered(settings: ExportSettings, context: Pick<ExportCheckContext, 'crmName' | 'people' | 'companies'>): ExportProblem[] {
  return checkExportSettings(settings, { ...context, platformFields: [], crmUsers: null }).filter((p) => p.code === 'required_not_covered');
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** “A”, “A and B”, “A, B and C”. */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The problems at a path or below it (a row of the page shows those of its own settings). */
export function problemsAt(problems: readonly ExportProblem[], path: readonly (string | number)[]): ExportProblem[] {
  return problems.filter((p) => path.every((part, i) => p.path[i] === part));
}
