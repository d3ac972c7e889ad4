/**
 * When a rotated secret's predecessor stops working: now, or later after a period chosen from a list,
 * with the moment it ends spelled out.
 */
import type { ReactNode } from 'react';
import { formatDuration } from '../lib/format.ts';
import { Choice } from './choice.tsx';

export type RotationMode = 'now' | 'later';

/** The candidate periods (seconds) up to `max`, each once, shortest first. */
export const periodChoices = (candidates: readonly number[], max: number): number[] =>
  [...new Set(candidates)].filter((s) => s <= max).sort((a, b) => a - b);

export function RotationModes({
  legend,
  mode,
  onChange,
  later,
  now,
}: {
  legend: ReactNode;
  mode: RotationMode;
  onChange: (mode: RotationMode) => void;
  later: { title: string; hint: ReactNode };
  now: { title: string; hint: ReactNode };
}) {
  return (
    <fieldset className="choice-group">
      <legend>{legend}</legend>
      {(['later', 'now'] as const).map((value) => (
        <Choice
          key={value}
          type="radio"
          name="mode"
          value={value}
          checked={mode === value}
          onChange={() => onChange(value)}
          {...(value === 'later' ? later : now)}
        />
      ))}
    </fieldset>
  );
}

export function PeriodField({
  id,
  label,
  value,
  onChange,
  choices,
  defaultValue,
  children,
}: {
  id: string;
  label: string;
  value: number;
  onChange: (seconds: number) => void;
  choices: readonly number[];
  defaultValue: number;
  /** Until when the old secret keeps working with the chosen period. */
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-describedby={`${id}-until`}
      >
        {choices.map((s) => (
          <option key={s} value={s}>
            {formatDuration(s)}
            {s === defaultValue ? ' (default)' : ''}
          </option>
        ))}
      </select>
      <p className="hint" id={`${id}-until`}>
        {children}
      </p>
    </div>
  );
}
