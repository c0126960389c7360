/**
 * The one email address check (sign-up, login, password reset, digest subscriptions): one
 * readable reason per mistake, so a person can fix a typo. Deliberately stricter than RFC 5322 (no quoted local parts, no IP literals):
 * we only send to addresses that real mail systems route.
 */
export type AddressCheck = { ok: true; email: string } | { ok: false; reason: string };

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function checkEmailAddress(input: unknown): AddressCheck {
  if (typeof input !== 'string' || !input.trim()) return { ok: false, reason: 'Enter your email address.' };
  const s = input.trim();
  if (s.length > 254) return { ok: false, reason: 'That email address is too long (254 characters at most).' };
  if (/\s/.test(s)) return { ok: false, reason: 'An email address cannot contain spaces.' };
  const at = s.lastIndexOf('@');
  if (at < 0) return { ok: false, reason: `"${s}" is missing the @ sign: a valid email address looks like name@example.org.` };
  if (s.indexOf('@') !== at) return { ok: false, reason: 'An email address has exactly one @ sign.' };
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).replace(/\.$/, '');
  if (!local) return { ok: false, reason: 'The part before the @ is missing.' };
  if (local.length > 64) return { ok: false, reason: 'The part before the @ is too long (64 characters at most).' };
  if (!LOCAL.test(local)) return { ok: false, reason: `"${local}" is not a valid name before the @ (letters, digits and . _ + - are fine; no two dots in a row).` };
  if (!domain) return { ok: false, reason: 'The domain after the @ is missing, e.g. example.org.' };
  const labels = domain.split('.');
  if (labels.length < 2) return { ok: false, reason: `"${domain}" is not a complete domain: it needs a dot, e.g. example.org.` };
  if (!labels.every((l) => LABEL.test(l))) return { ok: false, reason: `"${domain}" is not a valid domain name.` };
  if (!/^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]) && !/^xn--/.test(labels[labels.length - 1])) return { ok: false, reason: `"${domain}" does not end with a real top-level domain such as .org or .com.` };
  return { ok: true, email: `${local}@${domain}`.toLowerCase() };
}
