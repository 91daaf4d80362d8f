/**
 * The first API error at `field` or inside it: a problem names nested fields by path
 * (`rate.brackets.0.amount`, `countries.1`) while a form shows one message per control.
 */
export function errorUnder(errors: Record<string, string>, field: string): string | undefined {
  const key = Object.keys(errors).find((name) => name === field || name.startsWith(`${field}.`));
  return key === undefined ? undefined : errors[key];
}

/** `"us, de  FR"` → `["US", "DE", "FR"]`: codes typed as a list, upper-cased. */
export const codesOf = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
