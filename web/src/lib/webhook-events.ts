/**
 * The webhook event catalogue as the dashboard describes it, grouped by what the events are about.
 * Typed by the server's event enum, so a new event type fails the dashboard's type-check until it is
 * described here.
 */
import type { WebhookDeliveryStatus, WebhookEventType } from '../api.ts';

export const EVENTS = {
  'post.created': 'A post is created',
  'post.updated': 'A post changes (status included)',
  'post.status_changed': "A post's status changes",
  'post.deleted': 'A post is deleted',
  'vote.created': 'Someone votes on a post',
  'vote.deleted': 'A vote is removed',
  'board.created': 'A board is created',
  'board.deleted': 'A board is deleted, with its posts and votes',
  'credential.revoked': 'An API key is revoked',
  'credential.rotated': "An integration's token is rotated",
  'credential.expired': 'A key or integration expires',
  'usage.alert': 'A budget or error-rate alert is raised',
} as const satisfies Record<WebhookEventType, string>;

const GROUP_LABELS: Record<string, string> = {
  post: 'Posts',
  vote: 'Votes',
  board: 'Boards',
  credential: 'Credentials',
  usage: 'Usage',
};

/** Every event type, grouped by what it is about (posts, votes, …), in catalogue order. */
export const EVENT_GROUPS: { label: string; events: WebhookEventType[] }[] = (() => {
  const groups = new Map<string, WebhookEventType[]>();
  for (const type of Object.keys(EVENTS) as WebhookEventType[]) {
    const subject = type.split('.')[0] ?? type;
    groups.set(subject, [...(groups.get(subject) ?? []), type]);
  }
  return [...groups].map(([subject, events]) => ({ label: GROUP_LABELS[subject] ?? subject, events }));
})();

/** Subscribing to this means every event, including types added later. */
export const ALL_EVENTS = '*';

export const isEventType = (type: string): type is WebhookEventType => type in EVENTS;

/** The endpoint's events as a sentence-sized label. */
export const eventsLabel = (events: readonly string[]) =>
  events.includes(ALL_EVENTS) ? 'All events' : `${events.length} event${events.length === 1 ? '' : 's'}`;

/** What a delivery's badge says: the server's status, with "retrying" for a pending one that failed. */
export type DeliveryBadge = WebhookDeliveryStatus | 'retrying';

export function deliveryBadgeOf(delivery: { status: WebhookDeliveryStatus; attempt_count: number }) {
  return delivery.status === 'pending' && delivery.attempt_count > 0 ? 'retrying' : delivery.status;
}
