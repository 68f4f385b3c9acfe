import { describe, expect, it } from 'vitest';
import type { CrmField } from '../../shared/schema/crm.ts';
import { mappedPickLists } from './mappedPickLists.ts';

const described: CrmField[] = [
  { name: 'Email', label: 'Email', type: 'email', filterable: true },
  { name: 'Rating', label: 'Rating', type: 'picklist', filterable: true, options: [{ value: 'H', label: 'Hot' }, { value: 'C', label: 'Cold' }] },
  { name: 'Interests', label: 'Interests', type: 'multipicklist', filterable: false, options: [{ value: 'j', label: 'Jazz' }] },
  { name: 'Tier', label: 'Tier', type: 'picklist', filterable: true, options: [{ value: '1', label: 'Gold' }] },
];

describe('mappedPickLists', () => {
  it('takes the single-choice and multi-select pick lists among the mapped columns, labels with their codes', () => {
    const lists = mappedPickLists(
      {
        columns: [
          { column: 'Email', target: 'email', sensitive: false },
          { column: 'Rating', target: 'rating', sensitive: false },
          { column: 'Interests', target: 'interests', sensitive: false },
          { column: 'Tier', target: null, sensitive: false },
        ],
        identifier: 'Email',
        onMatch: 'update',
      },
      described,
    );
    expect(lists).toEqual([
      { fieldKey: 'rating', crmField: 'Rating', multiple: false, values: [{ label: 'Hot', code: 'H' }, { label: 'Cold', code: 'C' }] },
      { fieldKey: 'interests', crmField: 'Interests', multiple: true, values: [{ label: 'Jazz', code: 'j' }] },
    ]);
  });
});
