/**
 * Workspace isolation: a credential sees only its workspace. Another workspace's object is 404, never
 * 403, answered exactly like an id that does not exist, so ids cannot be probed.
 */
import { beforeAll, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { describeDialects, expectData, expectError, send, useApp } from './harness.ts';

interface Objects {
  board: string;
  post: string;
  vote: string;
}

type Probe = [string, 'GET' | 'POST' | 'PATCH' | 'DELETE', (o: Objects) => string, unknown?];

/** Every way a request can name a board, post or vote by id. */
const PROBES: Probe[] = [
  ['read a board', 'GET', (o) => `/v1/boards/${o.board}`],
  ['rename a board', 'PATCH', (o) => `/v1/boards/${o.board}`, { name: 'Mine now' }],
  ['delete a board', 'DELETE', (o) => `/v1/boards/${o.board}`],
  ['list the posts of a board', 'GET', (o) => `/v1/boards/${o.board}/posts`],
  ['filter the posts of a board', 'GET', (o) => `/v1/boards/${o.board}/posts?status=open`],
  ['post on a board', 'POST', (o) => `/v1/boards/${o.board}/posts`, { title: 'Injected' }],
  ['read a post', 'GET', (o) => `/v1/posts/${o.post}`],
  ['change a post', 'PATCH', (o) => `/v1/posts/${o.post}`, { status: 'closed' }],
  ['delete a post', 'DELETE', (o) => `/v1/posts/${o.post}`],
  ['list the votes of a post', 'GET', (o) => `/v1/posts/${o.post}/votes`],
  ['vote on a post', 'POST', (o) => `/v1/posts/${o.post}/votes`, { voter: 'mallory' }],
  ['delete a vote', 'DELETE', (o) => `/v1/votes/${o.vote}`],
];

const NONEXISTENT: Objects = {
  board: 'brd_0000000000000000000000',
  post: 'pst_0000000000000000000000',
  vote: 'vot_0000000000000000000000',
};

async function createObjects(t: TestApp, secret: string, name: string): Promise<Objects> {
  const board = expectData<{ id: string }>(
    await send(t, { method: 'POST', url: '/v1/boards', secret, body: { name, slug: 'shared-slug' } }),
    201,
  ).id;
  const post = expectData<{ id: string }>(
    await send(t, {
      method: 'POST',
      url: `/v1/boards/${board}/posts`,
      secret,
      body: { title: `${name} post` },
    }),
    201,
  ).id;
  const vote = expectData<{ id: string }>(
    await send(t, { method: 'POST', url: `/v1/posts/${post}/votes`, secret, body: { voter: 'ann' } }),
    201,
  ).id;
  return { board, post, vote };
}

describeDialects('workspace isolation', (create) => {
  const t = useApp(create);
  let alice = '';
  let bob = '';
  let bobReadOnly = '';
  let mine: Objects;
  let theirs: Objects;

  /** Everything Bob can see of his own workspace, to prove Alice changed none of it. */
  async function bobsView() {
    const get = (url: string) => send(t(), { method: 'GET', url, secret: bob }).then((r) => r.json());
    return Promise.all([
      get('/v1/boards'),
      get(`/v1/boards/${theirs.board}/posts`),
      get(`/v1/posts/${theirs.post}/votes`),
    ]);
  }

  beforeAll(async () => {
    const wsA = await t().workspace('professional', 'Alice Inc');
    const wsB = await t().workspace('professional', 'Bob Ltd');
    alice = (await t().key(wsA, 'read:write')).secret;
    bob = (await t().key(wsB, 'read:write')).secret;
    bobReadOnly = (await t().key(wsB, 'read')).secret;
    mine = await createObjects(t(), alice, 'Alice');
    theirs = await createObjects(t(), bob, 'Bob');
  });

  it.each(PROBES)(
    '%s of another workspace is 404 ERR_NOT_FOUND, like a missing id, and changes nothing',
    async (_, method, url, body) => {
      const before = await bobsView();
      const foreign = await send(t(), { method, url: url(theirs), secret: alice, body });
      const missing = await send(t(), { method, url: url(NONEXISTENT), secret: alice, body });
      const foreignError = expectError(foreign, 404, 'ERR_NOT_FOUND');
      const missingError = expectError(missing, 404, 'ERR_NOT_FOUND');
      // Same answer once the id itself is blanked out: nothing tells "exists elsewhere" from "never existed".
      const blank = (m: string) => m.replace(/\b(brd|pst|vot)_[0-9a-z]+/g, '<id>');
      expect(blank(foreignError.message)).toBe(blank(missingError.message));
      expect(foreignError.details).toEqual(missingError.details);
      expect(await bobsView()).toEqual(before);
    },
  );

  it("lists show only the workspace's own boards, posts and votes", async () => {
    const boards = (await send(t(), { method: 'GET', url: '/v1/boards', secret: alice })).json() as {
      data: { id: string }[];
    };
    expect(boards.data.map((b) => b.id)).toEqual([mine.board]);
    const posts = (
      await send(t(), { method: 'GET', url: `/v1/boards/${mine.board}/posts`, secret: alice })
    ).json();
    expect(posts.data.map((p: { id: string }) => p.id)).toEqual([mine.post]);
    const votes = (
      await send(t(), { method: 'GET', url: `/v1/posts/${mine.post}/votes`, secret: alice })
    ).json();
    expect(votes.data.map((v: { id: string }) => v.id)).toEqual([mine.vote]);
    const all = JSON.stringify([boards, posts, votes]);
    for (const id of Object.values(theirs)) expect(all).not.toContain(id);
  });

  it('a slug taken in another workspace is free in this one (a conflict would reveal it)', async () => {
    // Both workspaces created a board with slug "shared-slug" in beforeAll; a third one can too.
    const ws = await t().workspace('professional', 'Carol');
    const carol = (await t().key(ws, 'read:write')).secret;
    const res = await send(t(), {
      method: 'POST',
      url: '/v1/boards',
      secret: carol,
      body: { name: 'x', slug: 'shared-slug' },
    });
    expectData(res, 201);
  });

  it('the same voter name votes independently in each workspace', async () => {
    // "ann" voted in both workspaces in beforeAll; each post counts only its own vote.
    const count = async (secret: string, post: string) =>
      expectData<{ vote_count: number }>(await send(t(), { method: 'GET', url: `/v1/posts/${post}`, secret }))
        .vote_count;
    expect(await count(alice, mine.post)).toBe(1);
    expect(await count(bob, theirs.post)).toBe(1);
  });

  it('a read key of one workspace cannot read another workspace either (404, not 403)', async () => {
    expectError(
      await send(t(), { method: 'GET', url: `/v1/boards/${mine.board}`, secret: bobReadOnly }),
      404,
      'ERR_NOT_FOUND',
    );
    expectError(
      await send(t(), { method: 'GET', url: `/v1/posts/${mine.post}`, secret: bobReadOnly }),
      404,
      'ERR_NOT_FOUND',
    );
  });

  it("the owner still sees its objects intact after the other workspace's attempts", async () => {
    const board = expectData<{ name: string; post_count: number }>(
      await send(t(), { method: 'GET', url: `/v1/boards/${theirs.board}`, secret: bob }),
    );
    expect(board).toMatchObject({ name: 'Bob', post_count: 1 });
    const post = expectData<{ status: string; vote_count: number }>(
      await send(t(), { method: 'GET', url: `/v1/posts/${theirs.post}`, secret: bob }),
    );
    expect(post).toMatchObject({ status: 'open', vote_count: 1 });
  });
});
