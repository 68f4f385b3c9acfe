import { onMount } from 'solid-js';

export interface CellEditorProps {
  initial: string;
  /** Sensitive column: the value is typed blind, as a password would be. */
  secret: boolean;
  /** value null = cancelled; move = where the selection goes next (Enter: down, Tab: right / left). */
  onDone: (value: string | null, move: 'down' | 'right' | 'left' | null) => void;
}

/** Inline editor of one cell: Enter or Tab keeps the change, Escape drops it, leaving the cell keeps it. */
export function CellEditor(props: CellEditorProps) {
  let input: HTMLInputElement | undefined;
  let done = false;
  const finish = (value: string | null, move: 'down' | 'right' | 'left' | null) => {
    if (done) return;
    done = true;
    props.onDone(value, move);
  };
  onMount(() => {
    if (!input) return;
    input.focus();
    // A value started by typing a character keeps the caret after it; an opened value is selected whole.
    if (props.initial.length > 1) input.select();
    else input.setSelectionRange(props.initial.length, props.initial.length);
  });
  return (
    <input
      ref={input}
      class="mg-editor"
      type={props.secret ? 'password' : 'text'}
      autocomplete="off"
      spellcheck={false}
      value={props.initial}
      aria-label="Edit cell"
      data-testid="cell-editor"
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') {
          e.preventDefault();
          finish(e.currentTarget.value, 'down');
        } else if (e.key === 'Tab') {
          e.preventDefault();
          finish(e.currentTarget.value, e.shiftKey ? 'left' : 'right');
        } else if (e.key === 'Escape') {
          e.preventDefault();
          finish(null, null);
        }
      }}
      onBlur={(e) => finish(e.currentTarget.value, null)}
      onDblClick={(e) => e.stopPropagation()}
    />
  );
}
