/** First-run setup and sign in / whoami / sign out. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { hashPassword } from '../../../accounts/passwords.ts';
import type { ActiveSession } from '../../../accounts/sessions.ts';
import { insertUser, presentUser } from '../../../accounts/users.ts';
import {
  sessionSchema as sessionData,
  setupBody,
  setupStatusSchema,
  signedOutSchema,
  signInBody,
  switchWorkspaceBody,
} from '../../../contract/accounts.ts';
import { isKeywardError, KeywardError } from '../../../core/errors.ts';
import type { AppDeps } from '../../deps.ts';
import { clearSessionCookie, setSessionCookie } from '../../plugins/session.ts';
import { commonErrors, dataEnvelope } from '../../schemas.ts';
import { TAGS } from './common.ts';
import { presentWorkspace } from './workspace.ts';

const sessionSchema = dataEnvelope(sessionData);

/** Names the lock first-run setups take (Storage.exclusiveTransaction). */
const FIRST_SETUP_LOCK = 'keyward:first-setup';

export const sessionRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const { storage, sessions, clock } = deps;
    const secure = (request: { protocol: string }) => request.protocol === 'https';

    const sessionBody = async ({ user, csrfToken, expiresAt, returnUrl }: ActiveSession) => {
      const [workspace, memberships] = await Promise.all([
        storage.workspaces.get(user.workspace_id),
        storage.users.membershipsOf(user.id),
      ]);
      if (!workspace) throw new KeywardError('ERR_NOT_FOUND', 'Workspace not found.');
      return {
        data: {
          user: presentUser(user),
          workspace: presentWorkspace(workspace, deps),
          memberships,
          csrf_token: csrfToken,
          expires_at: new Date(expiresAt).toISOString(),
          return_url: returnUrl,
        },
      };
    };

    app.get(
      '/setup',
      {
        config: { role: 'public' },
        schema: {
          tags: TAGS,
          summary: 'Whether first-run setup is still open',
          response: { 200: dataEnvelope(setupStatusSchema) },
        },
      },
      async () => ({
        data: { needed: (await storage.users.count()) === 0 },
      }),
    );

    app.post(
      '/setup',
      {
        config: { role: 'public' },
        schema: {
          tags: TAGS,
          summary: 'First run: create the workspace and its owner (only while no user exists)',
          body: setupBody,
          response: { 201: sessionSchema, ...commonErrors, 409: commonErrors[404] },
        },
      },
      async (request, reply) => {
        if ((await storage.users.count()) > 0)
          throw new KeywardError('ERR_CONFLICT', 'Setup is already done; sign in instead.');
        const now = clock.now();
        const hash = await hashPassword(request.body.password);
        // Setups run one at a time, in every instance: two racing first-run forms must create one
        // workspace, and a plain transaction's count cannot see the other's uncommitted owner.
        const user = await storage.exclusiveTransaction(FIRST_SETUP_LOCK, async (tx) => {
          if ((await tx.users.count()) > 0)
            throw new KeywardError('ERR_CONFLICT', 'Setup is already done; sign in instead.');
          const ws = await tx.workspaces.create(
            { name: request.body.workspace_name, plan: 'professional' },
            now,
          );
          return insertUser(
            tx,
            {
              workspaceId: ws.id,
              email: request.body.email,
              password: request.body.password,
              role: 'owner',
            },
            hash,
            { type: 'user', label: request.body.email, ip: request.ip },
            now,
          );
        });
        const { token, session } = await sessions.start(user);
        setSessionCookie(reply, token, session.expiresAt, secure(request));
        return reply.code(201).send(await sessionBody(session));
      },
    );

    app.post(
      '/session',
      {
        config: { role: 'public' },
        schema: {
          tags: TAGS,
          summary: 'Sign in',
          body: signInBody,
          response: { 200: sessionSchema, ...commonErrors },
        },
      },
      async (request, reply) => {
        const { token, session } = await sessions
          .signIn(request.body.email, request.body.password, request.ip)
          .catch((err: unknown) => {
            // Like every 429, a throttled sign-in says when to come back.
            if (isKeywardError(err) && err.code === 'ERR_RATE_LIMITED')
              reply.header('retry-after', String(err.details?.retry_after));
            throw err;
          });
        setSessionCookie(reply, token, session.expiresAt, secure(request));
        return sessionBody(session);
      },
    );

    app.get(
      '/session',
      {
        config: { role: 'session' },
        schema: {
          tags: TAGS,
          summary: 'Who am I (and the CSRF token)',
          response: { 200: sessionSchema, ...commonErrors },
        },
      },
      async (request) => {
        const s = request.session!;
        return sessionBody(s);
      },
    );

    app.patch(
      '/session',
      {
        config: { role: 'session' },
        schema: {
          tags: TAGS,
          summary: "Switch to another of the person's workspaces",
          body: switchWorkspaceBody,
          response: { 200: sessionSchema, ...commonErrors },
        },
      },
      async (request) => {
        const s = await sessions.switchWorkspace(request.session!, request.body.workspace_id);
        return sessionBody(s);
      },
    );

    app.delete(
      '/session',
      {
        config: { role: 'session' },
        schema: {
          tags: TAGS,
          summary: 'Sign out (the session ends on the server)',
          response: { 200: dataEnvelope(signedOutSchema), ...commonErrors },
        },
      },
      async (request, reply) => {
        await sessions.signOut(request.session!);
        clearSessionCookie(reply);
        return { data: { signed_out: true as const } };
      },
    );
  };
