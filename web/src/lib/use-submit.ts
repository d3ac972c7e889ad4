/** Runs a form's change: busy while it runs, the failure in words if it fails. */
import { type FormEvent, useState } from 'react';
import { asApiError } from './use-resource.ts';

export interface Submit {
  busy: boolean;
  error: string | undefined;
  submit: (event: FormEvent<HTMLFormElement>) => Promise<void>;
}

/** `action` gets the form's named fields; throw `InputError` to refuse with a sentence. */
export function useSubmit(action: (fields: FormData) => Promise<void>): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await action(fields);
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
