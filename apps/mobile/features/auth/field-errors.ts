import { DemaApiError, describeFailure } from '@dema/client';

/** What a form shows after a failed submit: a message per field (the API's words) and one for the form. */
export interface FormFailure<Field extends string> {
  fields: Partial<Record<Field, string>>;
  form: string | null;
}

/**
 * The API's validation findings on the fields they name ("Password must be at least 12 characters"),
 * so the app says exactly what the API checked; anything not about a field (wrong password, offline,
 * rate limit) becomes the form's message.
 */
export function formFailure<Field extends string>(error: unknown, labels: Record<Field, string>): FormFailure<Field> {
  if (!(error instanceof DemaApiError)) return { fields: {}, form: describeFailure(error) };
  const fields: Partial<Record<Field, string>> = {};
  for (const [name, reason] of Object.entries(error.fieldErrors())) {
    if (name in labels) fields[name as Field] = `${labels[name as Field]} ${reason}`;
  }
  const named = Object.keys(fields).length > 0;
  return { fields, form: named ? 'Please correct the fields below.' : describeFailure(error) };
}

/** Fields left empty, with the API's own wording for a missing field, so the user need not wait for a round trip. */
export function missingFields<Field extends string>(values: Record<Field, string>, labels: Record<Field, string>): Partial<Record<Field, string>> {
  const missing: Partial<Record<Field, string>> = {};
  for (const name of Object.keys(values) as Field[]) {
    if (values[name].trim() === '') missing[name] = `${labels[name]} is required`;
  }
  return missing;
}
