/**
 * Event checkboxes grouped by subject (posts, votes, …), each saying when it is sent, and "All events"
 * on top: it includes every type, also those added later, so the single boxes show as included.
 */
import type { WebhookEventType } from '../api.ts';
import { PRODUCT_NAME } from '../lib/product.ts';
import { ALL_EVENTS, EVENT_GROUPS, EVENTS } from '../lib/webhook-events.ts';
import { Tag } from './badges.tsx';

export type EventSelection = (WebhookEventType | typeof ALL_EVENTS)[];

export function EventPicker({
  value,
  onChange,
}: {
  value: EventSelection;
  onChange: (next: EventSelection) => void;
}) {
  const all = value.includes(ALL_EVENTS);
  const held = new Set(value);
  const toggle = (type: WebhookEventType, on: boolean) => {
    const next = new Set(held);
    if (on) next.add(type);
    else next.delete(type);
    onChange([...next]);
  };

  return (
    <fieldset className="event-picker">
      <legend>Events</legend>
      <p className="hint">{PRODUCT_NAME} sends only what the endpoint subscribes to.</p>
      <label className={`event-option event-option-all ${all ? 'is-checked' : ''}`}>
        <input
          type="checkbox"
          checked={all}
          onChange={(e) => onChange(e.target.checked ? [ALL_EVENTS] : [])}
          aria-label="All events"
        />
        <span>
          <strong>All events</strong>
          <span className="hint">Everything below, and event types added in later versions.</span>
        </span>
      </label>
      {EVENT_GROUPS.map((group) => (
        <fieldset key={group.label} className="event-group">
          <legend>{group.label}</legend>
          <div className="event-options">
            {group.events.map((type) => {
              const checked = all || held.has(type);
              return (
                <label key={type} className={`event-option ${checked ? 'is-checked' : ''}`}>
                  <input
                    type="checkbox"
                    checked={checked}
                    disabled={all}
                    onChange={(e) => toggle(type, e.target.checked)}
                    aria-label={type}
                  />
                  <span>
                    <code>{type}</code>
                    <span className="hint">{EVENTS[type]}</span>
                  </span>
                </label>
              );
            })}
          </div>
        </fieldset>
      ))}
    </fieldset>
  );
}

/** The events an endpoint receives, as tags ("All events" for `*`). */
export function EventTags({ events, max }: { events: readonly string[]; max?: number }) {
  if (events.includes(ALL_EVENTS)) return <Tag>all events</Tag>;
  const shown = max !== undefined && events.length > max ? events.slice(0, max) : events;
  return (
    <span className="tags">
      {shown.map((e) => (
        <Tag key={e}>{e}</Tag>
      ))}
      {shown.length < events.length && (
        <span className="hint" title={events.slice(shown.length).join(', ')}>
          +{events.length - shown.length} more
        </span>
      )}
    </span>
  );
}
