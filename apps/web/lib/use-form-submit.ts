'use client';

import { useState } from 'react';
import { type DemaApiError, describeFailure } from '@dema/client';

/**
 * What a form that the API judges keeps: whether it is sending, the API's reasons by field (shown
 * at each control) and the refusal as a whole. `run` sends; a refusal's reasons go to `errors`
 * (`fields` maps them, by default the body's fields by name) and its summary to `error` (`describe`
 * may say it better). Resolves whether the API took it.
 */
export function useFormSubmit() {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  async function run(
    action: () => Promise<unknown>,
    options: { fields?: (failure: DemaApiError) => Record<string, string>; describe?: (failure: DemaApiError) => string } = {},
  ): Promise<boolean> {
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await action();
      return true;
    } catch (caught) {
      const failure = caught as DemaApiError;
      setErrors((options.fields ?? ((refusal) => refusal.fieldErrors()))(failure));
      setError((options.describe ?? describeFailure)(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { busy, errors, error, run, setErrors };
}
