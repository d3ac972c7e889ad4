/** Webhooks in storage: the endpoints, and the outbox of their deliveries (one repository each). */
import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';
import type { Database } from '../schema.ts';
import { WebhookDeliveryRepository } from './webhook-deliveries.ts';
import { WebhookEndpointRepository } from './webhook-endpoints.ts';

export class WebhookRepository {
  readonly endpoints: WebhookEndpointRepository;
  readonly deliveries: WebhookDeliveryRepository;

  constructor(db: Kysely<Database>, dialect: DialectName) {
    this.endpoints = new WebhookEndpointRepository(db);
    this.deliveries = new WebhookDeliveryRepository(db, dialect);
  }
}
