/**
 * Scope checkboxes grouped by resource, read and write side by side, each saying what it allows
 * (from the server's scope catalogue). Write includes read, so a checked write shows its read as
 * included.
 */
import type { ScopeCatalogueView } from '../api.ts';
import { useScopeCatalogue } from '../lib/scopes.ts';
import { ErrorNote, Loading } from './states.tsx';

type ScopeResource = ScopeCatalogueView['resources'][number];

export function ScopePicker({
  value,
  onChange,
}: {
  value: readonly string[];
  onChange: (next: string[]) => void;
}) {
  const catalogue = useScopeCatalogue();
  const held = new Set(value);
  const toggle = (scope: string, on: boolean) => {
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
      {catalogue.error && <ErrorNote error={catalogue.error} />}
      {!catalogue.data && !catalogue.error && <Loading />}
      {catalogue.data?.resources.map((resource: ScopeResource) => {
        const writeHeld = held.has(resource.write.scope);
        return (
          <fieldset key={resource.resource} className="scope-group">
            <legend>{resource.title}</legend>
            {resource.description && <p className="hint">{resource.description}</p>}
            <div className="scope-options">
              <ScopeOption
                scope={resource.read.scope}
                allows={resource.read.description}
                checked={held.has(resource.read.scope) || writeHeld}
                included={writeHeld}
                onToggle={toggle}
              />
              <ScopeOption
                scope={resource.write.scope}
                allows={resource.write.description}
                checked={writeHeld}
                onToggle={toggle}
              />
            </div>
          </fieldset>
        );
      })}
    </fieldset>
  );
}

function ScopeOption({
  scope,
  allows,
  checked,
  included = false,
  onToggle,
}: {
  scope: string;
  allows: string;
  checked: boolean;
  included?: boolean;
  onToggle: (scope: string, on: boolean) => void;
}) {
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
        <span className="scope-label">{allows}</span>
      </span>
    </label>
  );
}

/** The scopes an integration holds, read-only, with what they allow. */
export function ScopeSummary({ scopes }: { scopes: readonly string[] }) {
  const catalogue = useScopeCatalogue();
  const allows = new Map<string, string>();
  for (const r of catalogue.data?.resources ?? []) {
    allows.set(r.read.scope, r.read.description);
    allows.set(r.write.scope, r.write.description);
  }
  return (
    <ul className="scope-summary">
      {scopes.map((scope) => (
        <li key={scope}>
          <code>{scope}</code>
          {allows.has(scope) && <span className="hint">{allows.get(scope)}</span>}
        </li>
      ))}
    </ul>
  );
}
