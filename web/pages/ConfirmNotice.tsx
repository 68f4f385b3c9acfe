import type { JSX } from 'solid-js';

/**
 * "Are you sure?" in the page, next to what it is about (not a modal): what happens, in words, then the one button
 * that does it and "Keep it". `tone` error for what cannot be undone, warn for what can.
 */
export function ConfirmNotice(props: {
  label: string;
  testId: string;
  tone: 'error' | 'warn';
  class?: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onKeep: () => void;
  children: JSX.Element;
}) {
  return (
    <div class={`notice ${props.tone}${props.class ? ` ${props.class}` : ''}`} role="alertdialog" aria-label={props.label} data-testid={props.testId}>
      <div class="notice-body">{props.children}</div>
      <div class="notice-actions">
        <button type="button" class="danger" disabled={props.busy} onClick={() => props.onConfirm()}>
          {props.confirmLabel}
        </button>
        <button type="button" class="link" disabled={props.busy} onClick={() => props.onKeep()}>
          Keep it
        </button>
      </div>
    </div>
  );
}
