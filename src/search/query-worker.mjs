// Worker-thread entry for the search thread (query-thread.ts): the project runs its TypeScript
// through tsx's loader, which a worker thread does not inherit, so register it here.
import { register } from 'tsx/esm/api';
register();
await import('./query-worker.ts');
