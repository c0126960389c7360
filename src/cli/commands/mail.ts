/**
 * `papertide mail ls|show`: the outbox as a person reads it. Without SMTP_URL every email is an
 * .eml file in DATA_DIR/outbox, encoded for transport (quoted-printable cuts long lines with
 * "=" and writes "=3D" for "="), so a link copied out of the file by hand is broken. These
 * commands decode the files with mailparser and print headers, the text part and every link.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { simpleParser, type ParsedMail } from 'mailparser';
import { configOrExit, fail } from '../context.js';
import { AppError } from '../../domain/errors.js';

interface EmlFile {
  file: string;
  name: string;
  mtimeMs: number;
}

function outboxDir(): { dir: string; smtp: string | undefined } {
  const config = configOrExit();
  return { dir: path.join(config.dataDir, 'outbox'), smtp: config.SMTP_URL };
}

/** The .eml files, newest first (the order `ls` numbers them in). */
function emlFiles(dir: string): EmlFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.eml'))
    .map((name) => {
      const file = path.join(dir, name);
      return { file, name, mtimeMs: fs.statSync(file).mtimeMs };
    })
    .sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
}

const addresses = (a: ParsedMail['to'] | ParsedMail['from']) => (a ? (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ') : '');
const oneLine = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** http(s) links of a message, in order, once each: from the HTML part's hrefs and the text part. */
export function linksOf(mail: Pick<ParsedMail, 'html' | 'text'>): string[] {
  const out: string[] = [];
  const add = (u: string) => {
    const url = u.replace(/&amp;/g, '&').replace(/[).,;]+$/, '');
    if (/^https?:\/\//i.test(url) && !out.includes(url)) out.push(url);
  };
  if (typeof mail.html === 'string') for (const m of mail.html.matchAll(/href="([^"]+)"/g)) add(m[1]);
  for (const m of (mail.text ?? '').matchAll(/https?:\/\/[^\s<>"]+/g)) add(m[0]);
  return out;
}

function pick(files: EmlFile[], which: string): EmlFile {
  if (/^\d+$/.test(which)) {
    const n = Number(which);
    if (n >= 1 && n <= files.length) return files[n - 1];
    throw new AppError('not_found', `There is no message ${n}: the outbox holds ${files.length}. Run \`papertide mail ls\`.`);
  }
  const hits = files.filter((f) => f.name === which || f.file === which || f.name.includes(which.replace(/[<>]/g, '')));
  if (hits.length === 1) return hits[0];
  if (!hits.length) throw new AppError('not_found', `No message in the outbox matches “${which}”. Run \`papertide mail ls\`.`);
  throw new AppError('bad_request', `“${which}” matches ${hits.length} messages; give its number from \`papertide mail ls\`.`);
}

export function register(program: Command) {
  const mail = program.command('mail').description('read the outbox: the emails written as .eml files to DATA_DIR/outbox when SMTP_URL is not set');

  mail
    .command('ls')
    .description('list the messages in the outbox, newest first')
    .option('--to <address>', 'only messages to this address')
    .option('-n, --limit <n>', 'at most this many', '50')
    .action(async (opts: { to?: string; limit: string }) => {
      try {
        const { dir, smtp } = outboxDir();
        const files = emlFiles(dir);
        if (!files.length) {
          process.stdout.write(smtp ? `SMTP_URL is set: emails go to the SMTP server, and ${dir} holds none.\n` : `The outbox is empty (${dir}).\n`);
          return;
        }
        const limit = Math.max(1, Number.parseInt(opts.limit, 10) || 50);
        const want = opts.to?.trim().toLowerCase();
        let shown = 0;
        for (let i = 0; i < files.length && shown < limit; i++) {
          const m = await simpleParser(fs.readFileSync(files[i].file));
          const to = addresses(m.to);
          if (want && !to.toLowerCase().includes(want)) continue;
          shown++;
          const date = (m.date ?? new Date(files[i].mtimeMs)).toISOString().slice(0, 16).replace('T', ' ');
          process.stdout.write(`${String(i + 1).padStart(3)}  ${date}  ${oneLine(to, 32).padEnd(32)}  ${oneLine(m.subject ?? '(no subject)', 70)}\n`);
        }
        if (!shown) process.stdout.write(`No message to ${opts.to} among ${files.length}.\n`);
        process.stderr.write(`${files.length} message(s) in ${dir}. Read one with \`papertide mail show N\`.\n`);
      } catch (e) {
        fail(e);
      }
    });

  mail
    .command('show <which>')
    .description('show one message decoded (its number from `mail ls`, its file name or Message-ID): headers, text and every link, intact')
    .option('--html', 'print the HTML part instead of the text part')
    .action(async (which: string, opts: { html?: boolean }) => {
      try {
        const { dir } = outboxDir();
        const f = pick(emlFiles(dir), which);
        const m = await simpleParser(fs.readFileSync(f.file));
        const head = [
          `From: ${addresses(m.from)}`,
          `To: ${addresses(m.to)}`,
          `Date: ${m.date?.toISOString() ?? ''}`,
          `Subject: ${m.subject ?? ''}`,
          `Message-ID: ${m.messageId ?? ''}`,
          `File: ${f.file}`,
        ];
        process.stdout.write(`${head.join('\n')}\n\n${opts.html ? (typeof m.html === 'string' ? m.html : '(no HTML part)') : (m.text ?? '(no text part)').trimEnd()}\n`);
        const links = linksOf(m);
        if (links.length) process.stdout.write(`\nLinks:\n${links.map((u, i) => `  [${i + 1}] ${u}`).join('\n')}\n`);
      } catch (e) {
        fail(e);
      }
    });
}
