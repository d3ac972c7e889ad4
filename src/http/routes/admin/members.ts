/**
 * A workspace's people for the operator: list, add (no password: they arrive through portal links),
 * change a role, remove; and portal sessions, the one-time links that sign a person in.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { changeRole, type MemberChange, removeMember } from '../../../accounts/members.ts';
import { createUser } from '../../../accounts/users.ts';
import {
  createMemberBody,
  memberListSchema,
  memberParams,
  memberSchema,
  patchMemberBody,
  portalSessionBody,
  portalSessionSchema,
} from '../../../contract/members.ts';
import { KeywardError } from '../../../core/errors.ts';
import { createPortalLink } from '../../../portal/links.ts';
import type { MemberRow } from '../../../storage/repositories/users.ts';
import type { AppDeps } from '../../deps.ts';
import { commonErrors, dataEnvelope, deletedBody, deletedResponse, idParams } from '../../schemas.ts';
import { adminRouteOptions, conflictErrors, operatorActor } from './common.ts';

export const presentMember = (m: MemberRow) => ({
  user_id: m.id,
  email: m.email,
  name: m.name,
  role: m.role,
  created_at: new Date(m.created_at).toISOString(),
});

export const adminMemberRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, clock, config } = deps;
    const admin = adminRouteOptions(deps);
    const workspace = async (id: string) => {
      if (!(await storage.workspaces.get(id)))
        throw new KeywardError('ERR_NOT_FOUND', `Workspace ${id} not found.`);
    };

    app.get(
      '/workspaces/:id/members',
      admin("List a workspace's members", {
        params: idParams,
        response: { 200: memberListSchema, ...commonErrors },
      }),
      async (request) => {
        await workspace(request.params.id);
        return { data: (await storage.users.list(request.params.id)).map(presentMember), next_cursor: null };
      },
    );

    app.post(
      '/workspaces/:id/members',
      admin('Add a person to a workspace (created without a password when new; 409 if already a member)', {
        params: idParams,
        body: createMemberBody,
        response: { 201: dataEnvelope(memberSchema), ...conflictErrors },
      }),
      async (request, reply) => {
        const member = await createUser(
          storage,
          { workspaceId: request.params.id, ...request.body },
          operatorActor(request),
          clock.now(),
        );
        return reply.code(201).send({ data: presentMember(member) });
      },
    );

    // The operator may leave a workspace without an owner: it provisions them, and may have none.
    const change = (
      request: Parameters<typeof operatorActor>[0],
      ws: string,
      userId: string,
    ): MemberChange => ({
      workspaceId: ws,
      userId,
      actor: operatorActor(request),
      now: clock.now(),
      keepAnOwner: false,
    });

    app.patch(
      '/workspaces/:id/members/:user_id',
      admin("Change a member's role", {
        params: memberParams,
        body: patchMemberBody,
        response: { 200: dataEnvelope(memberSchema), ...commonErrors },
      }),
      async (request) => {
        const { id, user_id } = request.params;
        return {
          data: presentMember(await changeRole(storage, change(request, id, user_id), request.body.role)),
        };
      },
    );

    app.delete(
      '/workspaces/:id/members/:user_id',
      admin('Remove a member (their sessions in the workspace end at once)', {
        params: memberParams,
        response: { 200: deletedResponse, ...commonErrors },
      }),
      async (request) => {
        const { id, user_id } = request.params;
        await removeMember(storage, change(request, id, user_id));
        return deletedBody(user_id);
      },
    );

    app.post(
      '/workspaces/:id/portal-sessions',
      admin('A one-time link (5 minutes) that signs a person in to the workspace', {
        params: idParams,
        body: portalSessionBody,
        response: { 201: dataEnvelope(portalSessionSchema), ...commonErrors },
      }),
      async (request, reply) => {
        const { email, name, role, return_url } = request.body;
        const link = await createPortalLink(
          storage,
          config.publicUrl,
          { workspaceId: request.params.id, email, name, role, returnUrl: return_url },
          operatorActor(request),
          clock.now(),
        );
        return reply
          .code(201)
          .send({ data: { url: link.url, expires_at: new Date(link.expiresAt).toISOString() } });
      },
    );
  };
