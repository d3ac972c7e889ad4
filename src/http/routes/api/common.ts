/** Helpers every management route shares: the acting user as an audit actor, and the workspace. */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../audit/record.ts';

export function actorOf(request: FastifyRequest): Actor {
  const user = request.session?.user;
  return { type: 'user', id: user?.id ?? null, label: user?.email ?? null, ip: request.ip };
}

export function workspaceOf(request: FastifyRequest): string {
  return request.session!.user.workspace_id;
}

export const TAGS = ['management'];
export const cookieAuth = [{ sessionCookie: [] }];

/** Route options of a management route: the least role it needs and its documented schema. */
export function manage<S extends object>(
  role: 'public' | 'session' | 'member' | 'admin' | 'owner',
  summary: string,
  schema: S,
) {
  return { config: { role }, schema: { tags: TAGS, summary, security: cookieAuth, ...schema } };
}
