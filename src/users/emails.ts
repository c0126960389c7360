/** The account emails (verification, password reset, "you already have an account"): text and HTML. */
import type { OutgoingMail } from '../mail/outbox.repository.js';
import { escapeHtml } from '../domain/html.js';

const esc = escapeHtml;

function html(paragraphs: string[], link: { href: string; label: string }): string {
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36em">${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}<p><a href="${esc(link.href)}" style="display:inline-block;padding:.5em 1em;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none">${esc(link.label)}</a></p><p style="color:#666;font-size:90%">Or copy this address into your browser: ${esc(link.href)}</p></body></html>`;
}

export function verifyMail(baseUrl: string, user: { id: number; name: string; email: string }, token: string): OutgoingMail {
  const href = `${baseUrl}/verify?token=${encodeURIComponent(token)}`;
  const lines = [`Hello ${user.name},`, 'Confirm your email address to finish creating your Papertide account. The link works for 48 hours.'];
  return {
    kind: 'verify',
    dedupeKey: `verify:${user.id}:${token.slice(0, 16)}`,
    to: user.email,
    subject: 'Confirm your email address for Papertide',
    text: `${lines.join('\n\n')}\n\n${href}\n\nIf you did not sign up, ignore this email.\n`,
    html: html([...lines], { href, label: 'Confirm my address' }),
  };
}

export function resetMail(baseUrl: string, user: { id: number; name: string; email: string }, token: string): OutgoingMail {
  const href = `${baseUrl}/reset?token=${encodeURIComponent(token)}`;
  const lines = [`Hello ${user.name},`, 'Someone (hopefully you) asked to reset your Papertide password. The link works for one hour, once.'];
  return {
    kind: 'reset',
    dedupeKey: `reset:${user.id}:${token.slice(0, 16)}`,
    to: user.email,
    subject: 'Reset your Papertide password',
    text: `${lines.join('\n\n')}\n\n${href}\n\nIf you did not ask for this, ignore this email: your password stays as it is.\n`,
    html: html(lines, { href, label: 'Choose a new password' }),
  };
}

export function accountExistsMail(baseUrl: string, user: { id: number; name: string; email: string }, dedupeKey: string): OutgoingMail {
  const href = `${baseUrl}/forgot`;
  const lines = [`Hello ${user.name},`, 'Someone tried to sign up to Papertide with this address, which already has an account. If it was you, log in, or reset your password if you forgot it.'];
  return {
    kind: 'account-exists',
    dedupeKey,
    to: user.email,
    subject: 'You already have a Papertide account',
    text: `${lines.join('\n\n')}\n\n${href}\n`,
    html: html(lines, { href, label: 'Reset my password' }),
  };
}
