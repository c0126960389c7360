/** A check `papertide doctor` prints (✓/✗ and a detail), registered by a feature on the context. */
export interface HealthCheck {
  name: string;
  check: () => Promise<{ ok: boolean; detail: string }>;
}
