import { createSignal, Show } from 'solid-js';

const ACCEPT = '.csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain';

/** Drag a file here or pick one; the hidden input keeps the native picker and its keyboard access. */
export function DropZone(props: { onFile: (file: File) => void; compact?: boolean; disabled?: boolean; fileName?: string | undefined }) {
  const [dragging, setDragging] = createSignal(false);
  let input: HTMLInputElement | undefined;
  const take = (files: FileList | null | undefined) => {
    const file = files?.[0];
    if (file && !props.disabled) props.onFile(file);
  };
  return (
    <div
      class={`dropzone${props.compact ? ' compact' : ''}${dragging() ? ' dragging' : ''}`}
      data-testid="dropzone"
      onDragEnter={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = props.disabled ? 'none' : 'copy';
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        take(e.dataTransfer?.files);
      }}
    >
      <Show
        when={props.compact}
        fallback={
          <>
            <span class="dropzone-icon" aria-hidden="true">
              ⇪
            </span>
            <p class="dropzone-title">Drop a CSV file here</p>
            <p class="muted">Comma, semicolon, tab or pipe separated (.csv, .tsv, .txt), any size.</p>
          </>
        }
      >
        <span class="muted">Drop another file here to replace {props.fileName}.</span>
      </Show>
      <label class={props.compact ? 'button' : 'button primary'}>
        {props.compact ? 'Choose another file' : 'Choose a file'}
        <input
          ref={input}
          class="visually-hidden"
          type="file"
          accept={ACCEPT}
          disabled={props.disabled}
          aria-label="CSV file to import"
          onChange={(e) => {
            take(e.currentTarget.files);
            // Picking the same file again (after fixing it on disk) must fire change again.
            e.currentTarget.value = '';
          }}
        />
      </label>
    </div>
  );
}
