// The mask is shown by the store's listings too, so it lives with the fields; kept here for classifyRows.
export { SENSITIVE_MASK } from '../../shared/fields/sensitiveMask.ts';
