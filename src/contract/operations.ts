/**
 * The operationId of every documented operation, by method and OpenAPI path: stable names a
 * generated client calls (`client.createBoard(…)`), so renaming one is a breaking change. A route may
 * also set `schema.operationId` itself; the document fails a test when an operation has neither.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  // Public API (/v1, bearer credential)
  'GET /v1/ping': 'ping',
  'GET /v1/boards': 'listBoards',
  'POST /v1/boards': 'createBoard',
  'GET /v1/boards/{id}': 'getBoard',
  'PATCH /v1/boards/{id}': 'updateBoard',
  'DELETE /v1/boards/{id}': 'deleteBoard',
  'GET /v1/boards/{id}/posts': 'listPosts',
  'POST /v1/boards/{id}/posts': 'createPost',
  'GET /v1/posts/{id}': 'getPost',
  'PATCH /v1/posts/{id}': 'updatePost',
  'DELETE /v1/posts/{id}': 'deletePost',
  'GET /v1/posts/{id}/votes': 'listVotes',
  'POST /v1/posts/{id}/votes': 'createVote',
  'DELETE /v1/votes/{id}': 'deleteVote',
  'POST /v1/keys/verify': 'verifyKey',
  'GET /v1/webhooks': 'listWebhooks',
  'POST /v1/webhooks': 'createWebhook',
  'GET /v1/webhooks/{id}': 'getWebhook',
  'PATCH /v1/webhooks/{id}': 'updateWebhook',
  'DELETE /v1/webhooks/{id}': 'deleteWebhook',
  'GET /v1/webhooks/{id}/deliveries': 'listWebhookDeliveries',
  'POST /v1/secret-scanning/github': 'reportGithubSecrets',

  // Management API (/api, dashboard session)
  'GET /api/setup': 'getSetupStatus',
  'POST /api/setup': 'setup',
  'POST /api/session': 'signIn',
  'GET /api/session': 'getSession',
  'PATCH /api/session': 'switchWorkspace',
  'DELETE /api/session': 'signOut',
  'GET /api/workspace': 'getWorkspace',
  'PATCH /api/workspace': 'updateWorkspace',
  'GET /api/keys': 'listApiKeys',
  'POST /api/keys': 'createApiKey',
  'GET /api/keys/{id}': 'getApiKey',
  'PATCH /api/keys/{id}': 'updateApiKey',
  'DELETE /api/keys/{id}': 'deleteApiKey',
  'POST /api/keys/{id}/revoke': 'revokeApiKey',
  'POST /api/keys/{id}/expire': 'expireApiKey',
  'POST /api/keys/{id}/disable': 'disableApiKey',
  'POST /api/keys/{id}/enable': 'enableApiKey',
  'GET /api/integrations': 'listIntegrations',
  'POST /api/integrations': 'createIntegration',
  'GET /api/integrations/{id}': 'getIntegration',
  'PATCH /api/integrations/{id}': 'updateIntegration',
  'DELETE /api/integrations/{id}': 'deleteIntegration',
  'POST /api/integrations/{id}/token': 'createIntegrationToken',
  'POST /api/integrations/{id}/rotate': 'rotateIntegrationToken',
  'POST /api/integrations/{id}/expire': 'expireIntegration',
  'POST /api/integrations/{id}/disable': 'disableIntegration',
  'POST /api/integrations/{id}/enable': 'enableIntegration',
  'GET /api/users': 'listUsers',
  'POST /api/users': 'addUser',
  'PATCH /api/users/{id}': 'updateUser',
  'DELETE /api/users/{id}': 'removeUser',
  'GET /api/credentials/{id}/usage': 'getCredentialUsage',
  'GET /api/credentials/{id}/requests': 'listCredentialRequests',
  'GET /api/usage': 'getWorkspaceUsage',
  'GET /api/audit-log': 'listAuditLog',
  'GET /api/alerts': 'listAlerts',
  'GET /api/webhooks': 'listManagedWebhooks',
  'POST /api/webhooks': 'createManagedWebhook',
  'GET /api/webhooks/{id}': 'getManagedWebhook',
  'PATCH /api/webhooks/{id}': 'updateManagedWebhook',
  'DELETE /api/webhooks/{id}': 'deleteManagedWebhook',
  'GET /api/webhooks/{id}/deliveries': 'listManagedWebhookDeliveries',
  'POST /api/webhooks/{id}/test': 'sendWebhookTest',
  'POST /api/webhooks/{id}/deliveries/{delivery_id}/redeliver': 'redeliverWebhookDelivery',
  'POST /api/webhooks/{id}/rotate-secret': 'rotateWebhookSecret',
  'GET /api/scopes': 'listScopes',

  // Admin API (/admin/v1, admin operator token)
  'POST /admin/v1/workspaces': 'adminCreateWorkspace',
  'GET /admin/v1/workspaces': 'adminListWorkspaces',
  'GET /admin/v1/workspaces/{id}': 'adminGetWorkspace',
  'PATCH /admin/v1/workspaces/{id}': 'adminUpdateWorkspace',
  'DELETE /admin/v1/workspaces/{id}': 'adminDeleteWorkspace',
  'GET /admin/v1/workspaces/{id}/members': 'adminListMembers',
  'POST /admin/v1/workspaces/{id}/members': 'adminAddMember',
  'PATCH /admin/v1/workspaces/{id}/members/{user_id}': 'adminUpdateMember',
  'DELETE /admin/v1/workspaces/{id}/members/{user_id}': 'adminRemoveMember',
  'POST /admin/v1/workspaces/{id}/portal-sessions': 'adminCreatePortalSession',
  'GET /admin/v1/workspaces/{id}/keys': 'adminListApiKeys',
  'POST /admin/v1/workspaces/{id}/keys': 'adminCreateApiKey',
  'POST /admin/v1/workspaces/{id}/keys/import': 'adminImportApiKeys',
  'POST /admin/v1/keys/{id}/revoke': 'adminRevokeApiKey',
  'GET /admin/v1/usage': 'adminGetUsage',
  'GET /admin/v1/audit-log': 'adminListAuditLog',
};

/**
 * An operationId for an operation missing from OPERATION_IDS: camelCase of the method and the path's
 * words (`POST /api/keys/{id}/pause` → `postApiKeysPause`), so the document stays valid while the
 * table above is brought up to date.
 */
export function fallbackOperationId(method: string, path: string): string {
  const words = [method.toLowerCase(), ...path.split(/[^A-Za-z0-9]+/).filter((w) => w && !/^id$/i.test(w))];
  return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}
