/** Injected time source: tests pin it, production uses the system clock. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export function fixedClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(iso);
  return { now: () => new Date(t), set: (s) => (t = Date.parse(s)), advance: (ms) => (t += ms) };
}
