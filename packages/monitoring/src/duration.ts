const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Milliseconds of a rule duration in the seed's form (`5m`, `1m`) or finer (`2s`, `500ms`), the
 * subset of Prometheus durations that a Prometheus rules file accepts unchanged.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a duration: expected a whole number and ms, s, m or h (30s, 5m, 1h)`);
  return Number(match[1]) * units[match[2] as keyof typeof units];
}

/** The shortest exact Prometheus form of `ms` (60000 → `1m`, 1500 → `1500ms`). */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`${ms} ms is not a positive whole duration`);
  for (const [unit, size] of [
    ['h', units.h],
    ['m', units.m],
    ['s', units.s],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
