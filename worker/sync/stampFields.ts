import type { CrmKind } from '../../shared/schema/crm.ts';

/**
 * The field each CRM updates on every change of a record, system changes included: what incremental runs ask
 * "changed after". Salesforce recommends SystemModstamp over LastModifiedDate (it is indexed and also moves on
 * automated changes); Dataverse has modifiedon.
 */
export const MODIFICATION_STAMP: { readonly [K in CrmKind]: string } = {
  salesforce: 'SystemModstamp',
  dynamics: 'modifiedon',
};
