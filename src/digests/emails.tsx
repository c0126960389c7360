/**
 * Email templates (hono/jsx, rendered to strings). Every email is one multipart/alternative
 * message: HTML plus an equivalent plain-text part.
 *
 * HTML email rules followed here: one centred column of at most 600 px that shrinks on phones,
 * light colours inline (clients that drop <style> still get a readable light message), and a
 * `prefers-color-scheme: dark` block plus `color-scheme` meta for clients that support dark mode
 * (Apple Mail, iOS, Outlook.com, Thunderbird); Gmail's own dark inversion works on this palette too.
 * Titles and abstracts are arXiv text: they are escaped by JSX, LaTeX is left as source.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { safeHttpUrl } from '../domain/safe-url.js';
import { escapeHtml } from '../domain/html.js';
import { latexToPlainText } from '../domain/clean-text.js';
import type { Paper } from '../domain/paper.js';

export interface DigestPaper {
  id: string;
  title: string;
  authors: string[];
  abstract: string;
  upvotes: number;
  codeUrl: string | null;
  categories: string[];
}

/** A paper as a digest item (the fields a digest shows; the title on one line). */
export function digestPaperOf(p: Pick<Paper, 'id' | 'title' | 'abstract' | 'authors' | 'categories' | 'upvotes' | 'codeUrl'>): DigestPaper {
  return { id: p.id, title: p.title.replace(/\s+/g, ' ').trim(), abstract: p.abstract, authors: p.authors, categories: p.categories, upvotes: p.upvotes, codeUrl: p.codeUrl };
}

const C = {
  bg: '#f4f5f7',
  card: '#ffffff',
  text: '#1d2330',
  muted: '#5b6475',
  accent: '#2457d6',
  border: '#e3e6eb',
};

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

const STYLE = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
body { margin:0; padding:0; }
a { color:${C.accent}; }
body, .pt-bg { background:${C.bg}; }
.pt-paper { background:${C.card}; border:1px solid ${C.border}; border-radius:10px; padding:16px 20px; font-family:${FONT}; color:${C.text}; }
.pt-paper h2 { font-size:17px; line-height:1.35; margin:0 0 6px; }
.pt-paper h2 a { text-decoration:none; }
.pt-paper p { font-size:13px; line-height:1.45; margin:0 0 8px; color:${C.muted}; }
.pt-paper p.pt-text { font-size:14px; line-height:1.5; color:${C.text}; }
.pt-paper p:last-child { margin:0; }
.pt-badge { background:#e8efff; color:#1d3f99; border-radius:6px; padding:2px 8px; font-weight:600; }
.pt-gap { height:12px; line-height:12px; font-size:0; }
@media (max-width: 620px) { .pt-col { width:100% !important; } .pt-pad { padding:16px !important; } }
@media (prefers-color-scheme: dark) {
  body, .pt-bg { background:#0f1217 !important; }
  .pt-card { background:#181c24 !important; border-color:#2a303b !important; }
  .pt-text, h1, h2 { color:#e7eaf0 !important; }
  .pt-muted { color:#a3acbb !important; }
  a, .pt-link { color:#8fb0ff !important; }
  .pt-badge { background:#24324f !important; color:#cfdcff !important; }
}
`;

function Shell(props: { title: string; preheader: string; children?: Child; footer?: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="supported-color-schemes" content="light dark" />
          <title>{props.title}</title>
          <style>{raw(STYLE)}</style>
        </head>
        <body class="pt-bg" style={`margin:0;padding:0;background:${C.bg};`}>
          <div style="display:none;max-height:0;overflow:hidden;opacity:0;">{props.preheader}</div>
          <table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="pt-bg" style={`background:${C.bg};`}>
            <tr>
              <td align="center" style="padding:24px 12px;">
                <table role="presentation" class="pt-col" width="600" cellpadding="0" cellspacing="0" style="width:600px;max-width:100%;">
                  <tr>
                    <td class="pt-text" style={`font-family:${FONT};font-size:20px;font-weight:700;color:${C.text};padding:0 4px 16px;`}>
                      <span style={`color:${C.accent};`} class="pt-link">≈</span> Papertide
                    </td>
                  </tr>
                  {props.children}
                  <tr>
                    <td class="pt-muted" style={`font-family:${FONT};font-size:12px;line-height:1.6;color:${C.muted};padding:16px 4px;`}>
                      {props.footer}
                    </td>
                  </tr>
                </table>
              </td>
            </tr>
          </table>
        </body>
      </html>
    </>
  );
}

function Card(props: { children?: Child }) {
  return (
    <tr>
      <td class="pt-card pt-pad" style={`background:${C.card};border:1px solid ${C.border};border-radius:10px;padding:20px 24px;font-family:${FONT};color:${C.text};`}>
        {props.children}
      </td>
    </tr>
  );
}

function Button(props: { href: string; children?: Child }) {
  return (
    <a href={props.href} class="pt-link" style={`display:inline-block;background:${C.accent};color:#ffffff !important;text-decoration:none;font-weight:600;padding:10px 18px;border-radius:8px;`}>
      {props.children}
    </a>
  );
}

const render = (node: unknown): string => String(node);

/** "A, B, C and 4 others". */
export function shortAuthors(authors: string[], max = 4): string {
  if (authors.length <= max) return authors.length > 1 ? `${authors.slice(0, -1).join(', ')} and ${authors[authors.length - 1]}` : (authors[0] ?? '');
  const rest = authors.length - max + 1;
  return `${authors.slice(0, max - 1).join(', ')} and ${rest} others`;
}

/**
 * The abstract's first ~280 characters, cut at a word boundary. Remembered per abstract (a
 * digest build shows the same papers to many subscribers, and a section renders its items per
 * subscriber); bounded: emptied when full.
 */
const SHORT_MAX = 10_000;
const shortMemo = new Map<string, string>();
export function shortAbstract(abstract: string, max = 280): string {
  if (max !== 280) return shortAbstractOf(abstract, max);
  let v = shortMemo.get(abstract);
  if (v === undefined) {
    if (shortMemo.size >= SHORT_MAX) shortMemo.clear();
    shortMemo.set(abstract, (v = shortAbstractOf(abstract, max)));
  }
  return v;
}

function shortAbstractOf(abstract: string, max: number): string {
  const s = latexToPlainText(abstract).replace(/\s+/g, ' ').trim();
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 40)).replace(/[\s,;:.-]+$/, '') + '…';
}

// ---------------------------------------------------------------- confirmation and link emails

export function confirmEmail(o: { confirmUrl: string; baseUrl: string; expiresHours: number }) {
  const subject = 'Confirm your Papertide digest subscription';
  const html = render(
    <Shell title={subject} preheader="One click to start receiving trending papers." footer={<>You received this because someone entered this address at {o.baseUrl}. If it was not you, ignore this email: nothing will be sent unless the link is used.</>}>
      <Card>
        <h1 style="font-size:20px;margin:0 0 12px;">Confirm your subscription</h1>
        <p class="pt-text" style="font-size:15px;line-height:1.5;margin:0 0 18px;">Click the button to start receiving trending papers. The link works for {o.expiresHours} hours.</p>
        <p style="margin:0 0 18px;"><Button href={o.confirmUrl}>Confirm subscription</Button></p>
        <p class="pt-muted" style={`font-size:13px;color:${C.muted};margin:0;word-break:break-all;`}>Or open: <a href={o.confirmUrl}>{o.confirmUrl}</a></p>
      </Card>
    </Shell>,
  );
  const text = `Confirm your Papertide digest subscription\n\nOpen this link to start receiving trending papers (it works for ${o.expiresHours} hours):\n\n${o.confirmUrl}\n\nYou received this because someone entered this address at ${o.baseUrl}.\nIf it was not you, ignore this email: nothing will be sent unless the link is used.\n`;
  return { subject, html, text };
}

export function manageLinkEmail(o: { manageUrl: string; baseUrl: string }) {
  const subject = 'Your Papertide digest preferences';
  const html = render(
    <Shell title={subject} preheader="Your link to change or stop your digest." footer={<>You received this because someone asked for it at {o.baseUrl}. You are already subscribed; nothing changed.</>}>
      <Card>
        <h1 style="font-size:20px;margin:0 0 12px;">You are already subscribed</h1>
        <p class="pt-text" style="font-size:15px;line-height:1.5;margin:0 0 18px;">Use this link to change topics, cadence or number of papers, pause, or unsubscribe.</p>
        <p style="margin:0;"><Button href={o.manageUrl}>Manage my digest</Button></p>
      </Card>
    </Shell>,
  );
  const text = `You are already subscribed to the Papertide digest.\n\nChange topics, cadence or number of papers, pause, or unsubscribe here:\n\n${o.manageUrl}\n`;
  return { subject, html, text };
}

// ---------------------------------------------------------------- the digest

/**
 * One paper's block, identical for every subscriber: rendered once per build and reused.
 * Styled by classes of the <style> block (kept small: 100,000 digests are stored in the outbox);
 * a client that drops <style> still shows a readable, linked, unstyled list.
 */
export function paperHtml(p: DigestPaper, baseUrl: string): string {
  const url = `${baseUrl}/papers/${p.id}`;
  return render(
    <tr>
      <td class="pt-card pt-paper">
        <h2><a href={url}>{latexToPlainText(p.title)}</a></h2>
        <p class="pt-muted">{shortAuthors(p.authors)}</p>
        <p class="pt-text">{shortAbstract(p.abstract)}</p>
        <p class="pt-muted">
          <span class="pt-badge">▲ {p.upvotes}</span> {p.categories.slice(0, 3).join(' · ')} · <a href={url}>Read</a>
          {safeHttpUrl(p.codeUrl) ? <> · <a href={safeHttpUrl(p.codeUrl)!}>Code</a></> : null}
        </p>
      </td>
    </tr>,
  ) + '<tr><td class="pt-gap">&nbsp;</td></tr>';
}

export function paperText(p: DigestPaper, baseUrl: string, n: number): string {
  const lines = [`${n}. ${latexToPlainText(p.title).replace(/\s+/g, ' ')}`, `   ${shortAuthors(p.authors)}`, `   ▲ ${p.upvotes} · ${p.categories.slice(0, 3).join(' · ')}`, `   ${shortAbstract(p.abstract)}`, `   Read: ${baseUrl}/papers/${p.id}`];
  if (p.codeUrl) lines.push(`   Code: ${p.codeUrl}`);
  return lines.join('\n');
}

export interface DigestFrame {
  subject: string;
  heading: string;
  intro: string;
  manageUrl: string;
  unsubscribeUrl: string;
  baseUrl: string;
}

/** Subject that says what is inside: count, topics, and the top title. */
/** `cadence` null: the papers are not from today or this week, so the subject does not say so. */
export function digestSubject(n: number, topTitle: string, topicsLabel: string, cadence: 'daily' | 'weekly' | null): string {
  const title = latexToPlainText(topTitle).replace(/\s+/g, ' ');
  const t = title.length > 70 ? `${title.slice(0, 69).trimEnd()}…` : title;
  const topics = topicsLabel.length > 40 ? `${topicsLabel.slice(0, 39).trimEnd()}…` : topicsLabel;
  const when = cadence === 'weekly' ? ' this week' : cadence === 'daily' ? ' today' : '';
  return n === 1 ? `“${t}” — 1 trending paper${when} in ${topics}` : `“${t}” + ${n - 1} more trending papers${when} in ${topics}`;
}

function DigestTemplate(frame: Record<keyof DigestFrame, string>, blocks: string) {
  return (
    <Shell
      title={frame.subject}
      preheader={frame.intro}
      footer={
        <>
          You receive this because you subscribed to the Papertide digest. <a href={frame.manageUrl} class="pt-link" style={`color:${C.muted};`}>Change topics or cadence</a> ·{' '}
          <a href={frame.unsubscribeUrl} class="pt-link" style={`color:${C.muted};`}>Unsubscribe</a> (one click). Papertide · {frame.baseUrl}
        </>
      }
    >
      <tr>
        <td style={`font-family:${FONT};padding:0 4px 14px;`}>
          <h1 class="pt-text" style={`font-size:22px;line-height:1.3;margin:0 0 6px;color:${C.text};`}>{frame.heading}</h1>
          <p class="pt-muted" style={`font-size:14px;margin:0;color:${C.muted};`}>{frame.intro}</p>
        </td>
      </tr>
      {raw(blocks)}
    </Shell>
  );
}

/**
 * The digest's frame is rendered by JSX once, with markers where per-subscriber values go, then
 * filled by string joins (escaped the same way JSX escapes): 100,000 digests cost 100,000 joins,
 * not 100,000 JSX renders.
 */
const compiled = (() => {
  const keys = ['subject', 'heading', 'intro', 'manageUrl', 'unsubscribeUrl', 'baseUrl'] as const;
  const frame = Object.fromEntries(keys.map((k) => [k, `%%PT:${k}%%`])) as Record<keyof DigestFrame, string>;
  const html = render(DigestTemplate(frame, '%%PT:blocks%%'));
  const pieces = html.split(/%%PT:(\w+)%%/);
  return { literals: pieces.filter((_, i) => i % 2 === 0), slots: pieces.filter((_, i) => i % 2 === 1) as (keyof DigestFrame | 'blocks')[] };
})();

export function digestHtml(frame: DigestFrame, paperBlocks: string[]): string {
  const { literals, slots } = compiled;
  let out = literals[0];
  for (let i = 0; i < slots.length; i++) {
    const k = slots[i];
    out += (k === 'blocks' ? paperBlocks.join('') : escapeHtml(frame[k])) + literals[i + 1];
  }
  return out;
}

export function digestText(frame: DigestFrame, paperTexts: string[]): string {
  return `${frame.heading}\n${frame.intro}\n\n${paperTexts.join('\n\n')}\n\n--\nChange topics or cadence: ${frame.manageUrl}\nUnsubscribe (one click): ${frame.unsubscribeUrl}\n`;
}

// ---------------------------------------------------------------- personal sections (Following, For you)

/** A section's heading row and its papers, each with why it is there (personal: not cached). */
export function sectionHtml(title: string, items: { paper: DigestPaper; why: string }[], baseUrl: string): string {
  const head = render(
    <tr>
      <td class="pt-section" style={`font-family:${FONT};padding:14px 4px 10px;`}>
        <h1 class="pt-text" style={`font-size:19px;line-height:1.3;margin:0;color:${C.text};`}>{title}</h1>
      </td>
    </tr>,
  );
  const blocks = items.map((it) => {
    const url = `${baseUrl}/papers/${it.paper.id}`;
    return (
      render(
        <tr>
          <td class="pt-card pt-paper">
            <h2><a href={url}>{latexToPlainText(it.paper.title)}</a></h2>
            <p class="pt-muted">{shortAuthors(it.paper.authors)}</p>
            <p class="pt-why"><em>{it.why}</em></p>
            <p class="pt-text">{shortAbstract(it.paper.abstract)}</p>
            <p class="pt-muted">
              <span class="pt-badge">▲ {it.paper.upvotes}</span> {it.paper.categories.slice(0, 3).join(' · ')} · <a href={url}>Read</a>
              {safeHttpUrl(it.paper.codeUrl) ? <> · <a href={safeHttpUrl(it.paper.codeUrl)!}>Code</a></> : null}
            </p>
          </td>
        </tr>,
      ) + '<tr><td class="pt-gap">&nbsp;</td></tr>'
    );
  });
  return head + blocks.join('');
}

export function sectionText(title: string, items: { paper: DigestPaper; why: string }[], baseUrl: string): string {
  const lines = items.map((it, i) => `${paperText(it.paper, baseUrl, i + 1).replace(/\n/, `\n   (${it.why})\n`)}`);
  return `${title}\n${'='.repeat(title.length)}\n\n${lines.join('\n\n')}`;
}

/**
 * sectionHtml and sectionText with their shared parts rendered once per build: a paper's block
 * around its "why" line (the same paper is in many subscribers' sections), each why line, each
 * heading. The output is sectionHtml's and sectionText's, byte for byte (digest-rules test).
 * Bounded: each memo is cleared at MEMO_MAX entries.
 */
export class SectionRenderer {
  private static readonly MEMO_MAX = 50_000;
  private readonly around = new Map<string, [string, string] | null>();
  private readonly whys = new Map<string, string>();
  private readonly heads = new Map<string, string>();
  private readonly texts = new Map<string, string>();
  constructor(private readonly baseUrl: string) {}

  private memo<V>(m: Map<string, V>, k: string, make: () => V): V {
    let v = m.get(k);
    if (v === undefined && !m.has(k)) {
      if (m.size >= SectionRenderer.MEMO_MAX) m.clear();
      m.set(k, (v = make()));
    }
    return v as V;
  }

  html(title: string, items: { paper: DigestPaper; why: string }[]): string {
    const head = this.memo(this.heads, title, () => sectionHtml(title, [], this.baseUrl));
    let out = head;
    for (const it of items) {
      // The block rendered once with a marker where the why line goes.
      const parts = this.memo(this.around, it.paper.id, () => {
        const whole = sectionHtml('', [{ paper: it.paper, why: MARK }], this.baseUrl).slice(this.memo(this.heads, '', () => sectionHtml('', [], this.baseUrl)).length);
        const p = whole.split(MARK);
        return p.length === 2 ? ([p[0], p[1]] as [string, string]) : null;
      });
      if (!parts) {
        out += sectionHtml('', [it], this.baseUrl).slice(this.heads.get('')!.length);
        continue;
      }
      out += parts[0] + this.memo(this.whys, it.why, () => render(<>{it.why}</>)) + parts[1];
    }
    return out;
  }

  text(title: string, items: { paper: DigestPaper; why: string }[]): string {
    const lines = items.map((it, i) => {
      const rest = this.memo(this.texts, it.paper.id, () => paperText(it.paper, this.baseUrl, 0).replace(/^0\. /, ''));
      return `${i + 1}. ${rest}`.replace(/\n/, `\n   (${it.why})\n`);
    });
    return `${title}\n${'='.repeat(title.length)}\n\n${lines.join('\n\n')}`;
  }
}
const MARK = '\u0001why\u0001';
