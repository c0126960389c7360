/** The demo set: loaded into an empty store at first start (DEMO_DATA), or by `papertide demo`. */
import type { AppContext } from '../context.js';
import { DEMO_FILE } from '../paths.js';
import { countPapers } from './papers.repository.js';
import { importFile } from './import.service.js';
import { toDate } from '../domain/dates.js';

/** Load the demo set into an empty store (first start). Returns how many papers were added. */
export async function loadDemoIfEmpty(ctx: Pick<AppContext, 'config' | 'store' | 'clock' | 'logger' | 'events'>, opts: { force?: boolean } = {}): Promise<number> {
  if (!ctx.config.DEMO_DATA && !opts.force) return 0;
  if ((await countPapers(ctx.store.db)) > 0) return 0;
  const res = await importFile(ctx.store.db, DEMO_FILE, {
    now: () => ctx.clock.now(),
    demo: true,
    demoDate: toDate(ctx.clock.now()),
    onChanged: (ids) => ctx.events.emit({ kind: 'papers', ids }),
  });
  ctx.logger.info({ added: res.added }, 'loaded the demo papers into the empty store (remove them with `papertide demo --remove`)');
  return res.added;
}
