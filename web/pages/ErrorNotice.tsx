import { Show } from 'solid-js';
import { ApiError } from '../api/apiError.ts';

/** Any failure, in words: API errors carry a message written for people, anything else is a bug we say so about. */
export function ErrorNotice(props: { error: unknown; retry?: () => void }) {
  const message = () => {
    const e = props.error;
    if (e instanceof ApiError) return e.message;
    if (e instanceof Error) return `Something went wrong: ${e.message}`;
    return 'Something went wrong.';
  };
  return (
    <div class="notice error" role="alert">
      <div class="notice-body">{message()}</div>
      <Show when={props.retry}>
        {(retry) => (
          <div class="notice-actions">
            <button type="button" onClick={() => retry()()}>
              Try again
            </button>
          </div>
        )}
      </Show>
    </div>
  );
}
