/**
 * Hooks given to one route from an `onRoute` hook, so they can hold what they need about the route
 * (its pattern, its scope, its counters) instead of reading `request.routeOptions` per request.
 */
import type { RouteOptions } from 'fastify';

type HookName = 'onRequest' | 'preValidation' | 'onSend';

/** Adds `hook` to the route's own hooks of that kind (Fastify takes a function or an array there). */
export function addRouteHook(route: RouteOptions, name: HookName, hook: unknown, at: 'first' | 'last'): void {
  const own = route[name] as unknown;
  const list = own === undefined ? [] : Array.isArray(own) ? own : [own];
  (route as unknown as Record<HookName, unknown[]>)[name] =
    at === 'first' ? [hook, ...list] : [...list, hook];
}
