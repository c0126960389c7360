/**
 * `papertide user create --email --name [--password] [--admin|--moderator]` and
 * `papertide user role NAME user|moderator|admin`. Users made here are verified; without
 * --password one is generated and printed once.
 */
import type { Command } from 'commander';
import { fail, withContext } from '../context.js';
import { createUserDirect, setRole, type Role } from '../../users/users.service.js';

export function register(program: Command) {
  const user = program.command('user').description('manage accounts (create an admin, change roles)');
  user
    .command('create')
    .description('create a verified account')
    .requiredOption('--email <address>', 'email address')
    .requiredOption('--name <name>', 'user name (2–30 letters, digits, - or _)')
    .option('--password <password>', 'password (generated and printed when omitted)')
    .option('--admin', 'make the account an admin')
    .option('--moderator', 'make the account a moderator')
    .action(async (opts: { email: string; name: string; password?: string; admin?: boolean; moderator?: boolean }) => {
      try {
        const role: Role = opts.admin ? 'admin' : opts.moderator ? 'moderator' : 'user';
        const r = await withContext((ctx) => createUserDirect(ctx, { email: opts.email, name: opts.name, password: opts.password ?? null, role }));
        process.stdout.write(`created ${role} ${opts.name} <${opts.email.trim().toLowerCase()}> (id ${r.id})\n`);
        if (r.password) process.stdout.write(`password: ${r.password}\n(shown once: change it with "Forgot your password?" if you like)\n`);
      } catch (e) {
        fail(e);
      }
    });
  user
    .command('role')
    .description('set the role of a user')
    .argument('<name>', 'user name')
    .argument('<role>', 'user, moderator or admin')
    .action(async (name: string, role: string) => {
      try {
        if (!['user', 'moderator', 'admin'].includes(role)) throw new Error(`the role is user, moderator or admin, not “${role}”`);
        await withContext((ctx) => setRole(ctx, name, role as Role));
        process.stdout.write(`${name} is now ${role}\n`);
      } catch (e) {
        fail(e);
      }
    });
}
