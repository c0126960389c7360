// Worker-thread entry for background index builds (search.service.ts): the project runs its
// TypeScript through tsx's loader, which a worker thread does not inherit, so register it here.
import { register } from 'tsx/esm/api';
register();
await import('./build-worker.ts');
