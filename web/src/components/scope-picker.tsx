/**
 * Scope checkboxes grouped by resource, read and write side by side, each listing the endpoints it
 * opens. Write includes read, so a checked write shows its read as included.
 */
import type { IntegrationScope } from '../api.ts';
import { RESOURCES, SCOPES, scopeOf } from '../lib/scopes.ts';

export function ScopePicker({
  value,
  onChange,
}: {
  value: readonly IntegrationScope[];
  onChange: (next: IntegrationScope[]) => void;
}) {
  const held = new Set(value);
  const toggle = (scope: IntegrationScope, on: boolean) => {
    const next = new Set(held);
    if (on) next.add(scope);
    else next.delete(scope);
    onChange([...next]);
  };

  return (
    <fieldset className="scope-picker">
      <legend>Scopes</legend>
      <p className="hint">
        Pick the least the integration needs. Write access to a resource includes reading it.
      </p>
      {RESOURCES.map((resource) => {
        const write = scopeOf(resource.id, 'write');
        const read = scopeOf(resource.id, 'read');
        const writeHeld = held.has(write);
        return (
          <fieldset key={resource.id} className="scope-group">
            <legend>{resource.label}</legend>
            <div className="scope-options">
              <ScopeOption
                scope={read}
                checked={held.has(read) || writeHeld}
                included={writeHeld}
                onToggle={toggle}
              />
              <ScopeOption scope={write} checked={writeHeld} onToggle={toggle} />
            </div>
          </fieldset>
        );
      })}
    </fieldset>
  );
}

function ScopeOption({
  scope,
  checked,
  included = false,
  onToggle,
}: {
  scope: IntegrationScope;
  checked: boolean;
  included?: boolean;
  onToggle: (scope: IntegrationScope, on: boolean) => void;
}) {
  const info = SCOPES[scope];
  return (
    <label className={`scope-option ${checked ? 'is-checked' : ''}`}>
      <input
        type="checkbox"
        checked={checked}
        disabled={included}
        onChange={(e) => onToggle(scope, e.target.checked)}
        aria-label={scope}
      />
      <span>
        <span className="scope-name">
          <code>{scope}</code> {included && <span className="hint">included with write</span>}
        </span>
        <span className="scope-label">{info.label}</span>
        <ul className="endpoint-list">
          {info.endpoints.map((e) => (
            <li key={e}>
              <code>{e}</code>
            </li>
          ))}
        </ul>
      </span>
    </label>
  );
}

/** The scopes an integration holds, read-only, with what they allow. */
export function ScopeSummary({ scopes }: { scopes: readonly string[] }) {
  return (
    <ul className="scope-summary">
      {scopes.map((scope) => {
        const info = scope in SCOPES ? SCOPES[scope as IntegrationScope] : undefined;
        return (
          <li key={scope}>
            <code>{scope}</code>
            {info && (
              <span className="hint">
                {info.label}: {info.endpoints.join(', ')}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
