/** A labelled form control with an optional hint, wired for screen readers; and the fields forms share. */
import { cloneElement, type ReactElement, useId } from 'react';

export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, 'aria-describedby': hint ? hintId : undefined })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** The free-text description credentials and webhook endpoints have (at most 1000 characters, as the API). */
export function DescriptionField({
  label = 'Description',
  hint,
  value,
  onChange,
}: {
  label?: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} hint={hint}>
      <textarea maxLength={1000} rows={2} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}
