import { useCallback, useRef, useState } from 'react';
import { formFailure, missingFields, type FormFailure } from './field-errors.ts';

export interface SubmitState<Field extends string> {
  /** Each field's label, as the form shows it and its messages name it. */
  labels: Record<Field, string>;
  values: Record<Field, string>;
  setValue: (field: Field, value: string) => void;
  failure: FormFailure<Field>;
  busy: boolean;
  /** Checks for empty fields, then runs `action`; its API errors land on the fields they name. */
  submit: () => Promise<void>;
}

/** A form's values, its in-flight submit and the API's verdict on it. */
export function useSubmit<Field extends string>(
  initial: Record<Field, string>,
  labels: Record<Field, string>,
  action: (values: Record<Field, string>) => Promise<void>,
  { resetOnSuccess = false }: { resetOnSuccess?: boolean } = {},
): SubmitState<Field> {
  const [values, setValues] = useState(initial);
  const [failure, setFailure] = useState<FormFailure<Field>>({ fields: {}, form: null });
  const [busy, setBusy] = useState(false);
  // A double tap must not send the form twice (two signups, two password changes).
  const inFlight = useRef(false);

  const setValue = useCallback((field: Field, value: string) => {
    setValues((all) => ({ ...all, [field]: value }));
    // The message was about the old value.
    setFailure((all) => (all.fields[field] ? { ...all, fields: { ...all.fields, [field]: undefined } } : all));
  }, []);

  const submit = useCallback(async () => {
    if (inFlight.current) return;
    const missing = missingFields(values, labels);
    if (Object.keys(missing).length > 0) {
      setFailure({ fields: missing, form: 'Please fill in the fields below.' });
      return;
    }
    inFlight.current = true;
    setBusy(true);
    setFailure({ fields: {}, form: null });
    try {
      await action(values);
      // A password must not stay in the form once it has done its job.
      if (resetOnSuccess) setValues(initial);
    } catch (error) {
      setFailure(formFailure(error, labels));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }, [action, labels, values, initial, resetOnSuccess]);

  return { labels, values, setValue, failure, busy, submit };
}

/** What binds a FormField to `field` of `form`: its label, value, changes and message; read-only while the form is sent. */
export function fieldProps<Field extends string>(form: SubmitState<Field>, field: Field) {
  return {
    label: form.labels[field],
    value: form.values[field],
    onChangeText: (text: string) => form.setValue(field, text),
    error: form.failure.fields[field],
    editable: !form.busy,
  };
}
