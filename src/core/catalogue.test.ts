import { describe, expect, it } from 'vitest';
import { buildCatalogue, catalogueFileSchema, DEFAULT_CATALOGUE, isCatalogueScope } from './catalogue.ts';

const crm = {
  demo_api: false,
  resources: {
    contacts: {
      title: 'Contacts',
      description: 'People in your CRM',
      read: 'List and read contacts',
      write: 'Create, update and delete contacts',
    },
    messages: { title: 'Messages', read: 'Read conversations', write: 'Send messages' },
  },
};

describe('the scope catalogue', () => {
  it('is the demo API plus webhooks without a file', () => {
    expect(DEFAULT_CATALOGUE.demoApi).toBe(true);
    expect(DEFAULT_CATALOGUE.resources.map((r) => r.name)).toEqual(['boards', 'posts', 'votes', 'webhooks']);
    expect(DEFAULT_CATALOGUE.scopes).toContain('votes:write');
  });

  it("is the operator's resources and webhooks with demo_api: false", () => {
    const catalogue = buildCatalogue(crm);
    expect(catalogue.demoApi).toBe(false);
    expect(catalogue.scopes).toEqual([
      'contacts:read',
      'contacts:write',
      'messages:read',
      'messages:write',
      'webhooks:read',
      'webhooks:write',
    ]);
    expect(catalogue.resources[1]).toMatchObject({ name: 'messages', description: '' });
    expect(isCatalogueScope(catalogue, 'contacts:read')).toBe(true);
    expect(isCatalogueScope(catalogue, 'boards:read')).toBe(false);
  });

  it("adds the operator's resources to the demo ones when demo_api is left on", () => {
    expect(buildCatalogue({ resources: crm.resources }).resources.map((r) => r.name)).toEqual([
      'boards',
      'posts',
      'votes',
      'contacts',
      'messages',
      'webhooks',
    ]);
  });

  it('names the bad field of a file that does not validate', () => {
    const issues = (file: unknown) =>
      catalogueFileSchema.safeParse(file).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ resources: { contacts: { read: 'r', write: 'w' } } })).toEqual([
      'resources.contacts.title',
    ]);
    expect(issues({ resources: { Contacts: { title: 't', read: 'r', write: 'w' } } })).toEqual([
      'resources.Contacts',
    ]);
    expect(issues({ resources: { c: { title: 't', read: 'r', write: 'w', admin: 'x' } } })).toEqual([
      'resources.c',
    ]);
    expect(issues({ demoApi: false })).toEqual(['']);
    expect(issues({ demo_api: 'no' })).toEqual(['demo_api']);
  });
});
