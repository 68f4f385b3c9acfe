import type { FieldType } from '../../shared/schema/fields.ts';

/** How field types read in the header and in "Create field". */
export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  email: 'Email',
  phone: 'Phone',
  first_name: 'First name',
  last_name: 'Last name',
  text: 'Text',
  country: 'Country',
  url: 'Web address',
  number: 'Number',
  date: 'Date',
};
