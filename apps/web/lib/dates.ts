/** UTC calendar days as the analytics API takes them (`YYYY-MM-DD`). */
export const utcDay = (date: Date): string => date.toISOString().slice(0, 10);

/** The day `days` before `date` (UTC). */
export function daysBefore(date: Date, days: number): Date {
  const copy = new Date(date.getTime());
  copy.setUTCDate(copy.getUTCDate() - days);
  return copy;
}

/** `2026-11-25` → `Nov 25`, for chart labels. */
export function shortDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}
