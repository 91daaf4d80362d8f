/** One account per address, whatever the case it is typed in. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
