/** The form kit every page uses: the CSRF field, the form's error line and a notice. */
import type { WebContext } from '../types.js';

export function Hidden({ c }: { c: WebContext }) {
  return <input type="hidden" name="_csrf" value={c.get('csrf')} />;
}

export function FormError({ message }: { message?: string | null }) {
  return message ? (
    <p class="error-text" role="alert" id="form-error">
      {message}
    </p>
  ) : null;
}

export function Flash({ message }: { message?: string | null }) {
  return message ? (
    <p class="notice" role="status">
      {message}
    </p>
  ) : null;
}
