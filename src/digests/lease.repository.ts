// Leases live with the store (src/db/leases.ts): the scheduler and the search index use them too.
export { acquireLease, renewLease, releaseLease } from '../db/leases.js';
