/** Seeded randomness for tests: a failing run can be repeated with the same seed. */
import { rng } from '../../src/search/linalg.js';

/** The search index's seeded PRNG (mulberry32): tests that pick at random pick the same every run. */
export const seededRandom: (seed: number) => () => number = rng;
