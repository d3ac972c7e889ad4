/**
 * The one rotation dialog: choose when the current secret stops working (now, or later after a
 * period), rotate, then show the new secret once. Integration tokens and webhook signing secrets
 * bring their own words, periods and API call.
 */
import { type ReactNode, useState } from 'react';
import { formatDateTime } from '../lib/format.ts';
import { useSubmit } from '../lib/use-submit.ts';
import { Dialog } from './dialog.tsx';
import { DialogActions } from './dialog-actions.tsx';
import { PeriodField, type RotationMode, RotationModes } from './rotation-timing.tsx';
import { ErrorNote } from './states.tsx';

export interface RotationDialogProps<T> {
  title: string;
  legend: ReactNode;
  later: { title: string; hint: ReactNode };
  now: { title: string; hint: ReactNode };
  /** The period the current secret keeps working for when rotating later, in seconds. */
  period: { id: string; label: string; choices: number[]; defaultValue: number };
  /** The sentence under the period, around the (emphasised) moment the current secret ends. */
  keepsWorkingUntil: (until: ReactNode) => ReactNode;
  actionLabel: (mode: RotationMode) => string;
  /** Rotates (`seconds` is the chosen period when rotating later) and tells the page behind. */
  rotate: (mode: RotationMode, seconds: number) => Promise<T>;
  /** The dialog that shows the new secret, once. */
  rotated: (result: T) => ReactNode;
  onClose: () => void;
}

export function RotationDialog<T>(props: RotationDialogProps<T>) {
  const { period, onClose } = props;
  const [mode, setMode] = useState<RotationMode>('later');
  const [seconds, setSeconds] = useState(period.defaultValue);
  const [result, setResult] = useState<T>();
  const until = new Date(Date.now() + seconds * 1000).toISOString();
  const form = useSubmit(async () => setResult(await props.rotate(mode, seconds)));

  if (result !== undefined) return props.rotated(result);

  return (
    <Dialog title={props.title} onClose={onClose} busy={form.busy}>
      <form onSubmit={form.submit} className="form">
        <RotationModes
          legend={props.legend}
          mode={mode}
          onChange={setMode}
          later={props.later}
          now={props.now}
        />
        {mode === 'later' && (
          <PeriodField
            id={period.id}
            label={period.label}
            value={seconds}
            onChange={setSeconds}
            choices={period.choices}
            defaultValue={period.defaultValue}
          >
            {props.keepsWorkingUntil(<strong>{formatDateTime(until)}</strong>)}
          </PeriodField>
        )}
        {form.error && <ErrorNote error={form.error} />}
        <DialogActions
          label={props.actionLabel(mode)}
          busyLabel="Rotating…"
          busy={form.busy}
          onCancel={onClose}
          tone={mode === 'now' ? 'danger' : 'primary'}
        />
      </form>
    </Dialog>
  );
}
