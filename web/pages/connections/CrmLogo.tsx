import type { CrmKind } from '../../../shared/schema/crm.ts';
import { crmName } from '../crm/crmNames.ts';

/** A small mark in each CRM's colour, so a list of connections can be scanned by eye; not the vendors' logos. */
export function CrmLogo(props: { kind: CrmKind; size?: number }) {
  const size = () => props.size ?? 36;
  return (
    <span class={`crm-logo ${props.kind}`} style={{ width: `${size()}px`, height: `${size()}px` }} role="img" aria-label={crmName(props.kind)}>
      {props.kind === 'salesforce' ? (
        <svg viewBox="0 0 32 32" width="70%" height="70%" aria-hidden="true">
          <path
            fill="currentColor"
            d="M13.3 8.6a5 5 0 0 1 3.6-1.6 5 5 0 0 1 4.4 2.6 6 6 0 0 1 2.5-.5 6.1 6.1 0 0 1 0 12.2h-.9a4.5 4.5 0 0 1-5.9 1.9 5.2 5.2 0 0 1-9.2-.3 4.4 4.4 0 0 1-.9.1 4.7 4.7 0 0 1-2.3-8.8 5.4 5.4 0 0 1 8.7-5.6z"
          />
        </svg>
      ) : (
        <svg viewBox="0 0 32 32" width="62%" height="62%" aria-hidden="true">
          <path fill="currentColor" opacity="0.65" d="M7 3l18 7v8.5L7 29z" />
          <path fill="currentColor" d="M7 3l11 4.3v17.2L7 29z" />
        </svg>
      )}
    </span>
  );
}
