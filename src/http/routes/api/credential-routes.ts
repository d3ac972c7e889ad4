/** What the API key and private integration routes share: one kind's find-or-404, presentation, list, expire, delete. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../../audit/record.ts';
import { credentialSchema, expireBody } from '../../../contract/credentials.ts';
import { KeywardError } from '../../../core/errors.ts';
import { deleteCredential, expireCredential, revokeCredential } from '../../../credentials/lifecycle.ts';
import { presentCredential } from '../../../credentials/present.ts';
import type { CredentialRow } from '../../../storage/repositories/credentials.ts';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, listResponseAsync } from '../../pagination.ts';
import {
  commonErrors,
  dataEnvelope,
  deletedBody,
  deletedResponse,
  idParams,
  listEnvelope,
  pageQuery,
} from '../../schemas.ts';
import { actorOf, manage, workspaceOf } from './common.ts';

type Kind = CredentialRow['kind'];

/** How a not-found answer names each kind. */
const NOUNS: Record<Kind, string> = { api_key: 'API key', integration_token: 'Integration' };

export function credentialRoutesOf(deps: AppDeps, kind: Kind) {
  const { storage, clock, credentials: ctx } = deps;

  /** With its secrets' state (current and overlapping previous), never a secret itself. */
  const present = async (row: CredentialRow) =>
    presentCredential(row, await storage.credentials.secretsOf(row.id), clock.now());

  /** A page of credentials with the secrets of all of them read in one query. */
  const presentPage = async (rows: CredentialRow[]) => {
    const secrets = await storage.credentials.secretsOfEach(rows.map((row) => row.id));
    const now = clock.now();
    return rows.map((row) => presentCredential(row, secrets.get(row.id) ?? [], now));
  };

  /** The credential of this kind in the workspace, or ERR_NOT_FOUND (another kind is not found either). */
  const find = async (workspaceId: string, id: string) => {
    const row = await storage.credentials.get(workspaceId, id);
    if (row?.kind !== kind) throw new KeywardError('ERR_NOT_FOUND', `${NOUNS[kind]} ${id} not found.`);
    return row;
  };

  return {
    present,
    find,

    async list(workspaceId: string, query: { limit: number; cursor?: string | undefined }) {
      const page = await storage.credentials.list(workspaceId, kind, {
        limit: query.limit,
        after: decodeCursor(query.cursor),
      });
      return listResponseAsync(page, presentPage);
    },

    async revoke(workspaceId: string, id: string, actor: Actor) {
      await find(workspaceId, id);
      return { data: await present(await revokeCredential(ctx, workspaceId, id, actor)) };
    },

    async expire(workspaceId: string, id: string, at: string | undefined, actor: Actor) {
      await find(workspaceId, id);
      const when = at ? Date.parse(at) : undefined;
      return { data: await present(await expireCredential(ctx, workspaceId, id, when, actor)) };
    },

    async remove(workspaceId: string, id: string, actor: Actor) {
      await find(workspaceId, id);
      await deleteCredential(ctx, workspaceId, id, actor);
      return deletedBody(id);
    },
  };
}

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

/**
 * The management routes keys and integrations answer alike (list, get, expire, delete), one
 * registrar each so every API registers them in its own order (the OpenAPI document keeps it) and
 * documents them with its own summary.
 */
export function sharedCredentialRoutes(app: ZodApp, deps: AppDeps, kind: Kind, path: string) {
  const routes = credentialRoutesOf(deps, kind);
  return {
    list(summary: string) {
      app.get(
        path,
        manage('member', summary, {
          querystring: pageQuery,
          response: { 200: listEnvelope(credentialSchema), ...commonErrors },
        }),
        async (request) => routes.list(workspaceOf(request), request.query),
      );
    },

    get(summary: string) {
      app.get(
        `${path}/:id`,
        manage('member', summary, {
          params: idParams,
          response: { 200: dataEnvelope(credentialSchema), ...commonErrors },
        }),
        async (request) => ({
          data: await routes.present(await routes.find(workspaceOf(request), request.params.id)),
        }),
      );
    },

    expire(summary: string) {
      app.post(
        `${path}/:id/expire`,
        manage('admin', summary, {
          params: idParams,
          body: expireBody,
          response: { 200: dataEnvelope(credentialSchema), ...commonErrors, 409: commonErrors[404] },
        }),
        async (request) =>
          routes.expire(workspaceOf(request), request.params.id, request.body?.at, actorOf(request)),
      );
    },

    remove(summary: string) {
      app.delete(
        `${path}/:id`,
        manage('admin', summary, {
          params: idParams,
          response: { 200: deletedResponse, ...commonErrors },
        }),
        async (request) => routes.remove(workspaceOf(request), request.params.id, actorOf(request)),
      );
    },
  };
}
