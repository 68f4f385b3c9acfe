import type { FieldType } from '../schema/fields.ts';

/**
 * What a value of this type undergoes when it is stored, in words the save summary can show (null: kept as typed,
 * ends trimmed). Said before Save because nothing may change a user's value without the user being told.
 */
export function normalizationNote(type: FieldType): string | null {
  switch (type) {
    case 'email':
      return 'trimmed, lowercased, a leading "mailto:" removed';
    case 'phone':
      return 'written in international form (E.164, e.g. +4930123456), national numbers read in the default country';
    case 'url':
      return 'written as a full web address (https:// added when missing)';
    case 'number':
      return 'written as a plain number (1.234,56 → 1234.56)';
    case 'date':
      return 'written as an ISO date (YYYY-MM-DD)';
    case 'first_name':
    case 'last_name':
    case 'text':
    case 'country':
      return null;
  }
}
