/** A radio button or checkbox with a bold title and a hint beside it, all one click target. */
import type { InputHTMLAttributes, ReactNode } from 'react';

export function Choice({
  title,
  hint,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { type: 'radio' | 'checkbox'; title: string; hint: ReactNode }) {
  return (
    <label className="choice">
      <input {...input} />
      <span>
        <strong>{title}</strong>
        <span className="hint">{hint}</span>
      </span>
    </label>
  );
}
