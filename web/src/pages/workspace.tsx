/** Workspace settings: name, plan and its limits, inactivity auto-expiry and usage alert thresholds. */
import { type FormEvent, useState } from 'react';
import { api, type WorkspaceSettings } from '../api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Field } from '../components/field.tsx';
import { GuardedButton, ReadOnlyNote } from '../components/guarded-button.tsx';
import { PageHeader } from '../components/shell.tsx';
import { ErrorNote } from '../components/states.tsx';
import { formatDate } from '../lib/format.ts';
import { deniedReason } from '../lib/permissions.ts';
import { useTitle } from '../lib/router.tsx';
import { asApiError, InputError } from '../lib/use-resource.ts';
import { useSession } from '../session.tsx';

/** A setting that is off (null) or a whole number, edited as text so it can be blank. */
const asText = (v: number | null) => (v === null ? '' : String(v));
function asNumber(text: string, label: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`${label} must be a whole number of at least 1, or empty for off.`);
  return n;
}

export function WorkspacePage() {
  useTitle('Workspace');
  const { workspace, user, setWorkspace } = useSession();
  const readOnly = deniedReason(user.role, 'owner') !== undefined;
  const s = workspace.settings;
  const [name, setName] = useState(workspace.name);
  const [inactive, setInactive] = useState(asText(s.inactive_expiry_days));
  const [budget, setBudget] = useState(asText(s.alert_budget_percent));
  const [errorRate, setErrorRate] = useState(asText(s.alert_error_rate_percent));
  const [minRequests, setMinRequests] = useState(String(s.alert_error_rate_min_requests));
  const [state, setState] = useState<{ busy?: boolean; error?: string; saved?: boolean }>({});

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setState({ busy: true });
    try {
      const settings: Partial<WorkspaceSettings> = {
        inactive_expiry_days: asNumber(inactive, 'Inactivity window'),
        alert_budget_percent: asNumber(budget, 'Budget alert'),
        alert_error_rate_percent: asNumber(errorRate, 'Error-rate alert'),
        alert_error_rate_min_requests: asNumber(minRequests, 'Minimum requests') ?? 20,
      };
      setWorkspace(await api.updateWorkspace({ name, settings }));
      setState({ saved: true });
    } catch (err) {
      setState({ error: asApiError(err).message });
    }
  };
  const limits = workspace.plan_limits;

  return (
    <>
      <PageHeader title="Workspace">
        Settings that apply to every key and integration in {workspace.name}.
      </PageHeader>
      <ReadOnlyNote need="owner" what="change workspace settings" />
      <section className="card">
        <h2 className="card-title">Plan and limits</h2>
        <dl className="details">
          <div>
            <dt>Plan</dt>
            <dd>
              <span className="capitalize">{workspace.plan}</span>{' '}
              {workspace.upgrade_url ? (
                <a href={workspace.upgrade_url} target="_top" rel="noopener">
                  Change plan
                </a>
              ) : (
                <span className="hint">Plans are managed by your provider.</span>
              )}
            </dd>
          </div>
          <div>
            <dt>API access</dt>
            <dd>{limits.api_access ? 'Included' : 'Not included (requests get 403)'}</dd>
          </div>
          <div>
            <dt>Per key</dt>
            <dd>{limits.key_rate_limit}</dd>
          </div>
          <div>
            <dt>Shared by the workspace</dt>
            <dd>{limits.workspace_rate_limit ?? 'No shared limit'}</dd>
          </div>
          <div>
            <dt>Workspace ID</dt>
            <dd className="inline-copy">
              <code>{workspace.id}</code>
              <CopyButton value={workspace.id} label="Copy workspace ID" />
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDate(workspace.created_at)}</dd>
          </div>
        </dl>
      </section>

      <form className="card form" onSubmit={save} aria-label="Workspace settings">
        <fieldset disabled={readOnly} className="plain-fieldset">
          <Field label="Workspace name">
            <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <h2 className="card-title">Inactivity auto-expire</h2>
          <Field
            label="Expire credentials unused for (days)"
            hint="Empty: never. Keys and integrations that make no request for this long expire by themselves."
          >
            <input
              inputMode="numeric"
              value={inactive}
              onChange={(e) => setInactive(e.target.value)}
              placeholder="Off"
            />
          </Field>
          <h2 className="card-title">Usage alerts</h2>
          <div className="field-row">
            <Field
              label="Budget alert (%)"
              hint="Alert when a key has used this share of its rate-limit window. Empty: off."
            >
              <input
                inputMode="numeric"
                value={budget}
                onChange={(e) => setBudget(e.target.value)}
                placeholder="Off"
              />
            </Field>
            <Field
              label="Error-rate alert (%)"
              hint="Alert when this share of a credential's requests in an hour fail. Empty: off."
            >
              <input
                inputMode="numeric"
                value={errorRate}
                onChange={(e) => setErrorRate(e.target.value)}
                placeholder="Off"
              />
            </Field>
            <Field
              label="Minimum requests"
              hint="Below this many requests in the hour, the error rate is not judged."
            >
              <input
                inputMode="numeric"
                value={minRequests}
                onChange={(e) => setMinRequests(e.target.value)}
              />
            </Field>
          </div>
        </fieldset>
        {state.error && <ErrorNote error={state.error} />}
        {state.saved && (
          <p className="callout callout-success" role="status">
            Saved.
          </p>
        )}
        <div className="form-actions">
          <GuardedButton need="owner" type="submit" className="button button-primary" disabled={state.busy}>
            {state.busy ? 'Saving…' : 'Save settings'}
          </GuardedButton>
        </div>
      </form>
    </>
  );
}
