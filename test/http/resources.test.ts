/** The feedback product over HTTP: boards, posts and votes, their counts, filters and pagination. */
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDialects, expectData, expectError, send, useApp } from './harness.ts';

interface Board {
  id: string;
  name: string;
  slug: string;
  description: string;
  post_count: number;
  created_at: string;
}
interface Post {
  id: string;
  board_id: string;
  title: string;
  body: string;
  status: string;
  vote_count: number;
  author: string | null;
  created_at: string;
  updated_at: string;
}
interface Vote {
  id: string;
  post_id: string;
  voter: string;
  created_at: string;
}
interface List<T> {
  data: T[];
  next_cursor: string | null;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describeDialects('boards, posts and votes', (create) => {
  const t = useApp(create);
  let key = '';
  let n = 0;

  const get = (url: string) => send(t(), { method: 'GET', url, secret: key });
  const post = (url: string, body: unknown) => send(t(), { method: 'POST', url, secret: key, body });
  const patch = (url: string, body: unknown) => send(t(), { method: 'PATCH', url, secret: key, body });
  const del = (url: string) => send(t(), { method: 'DELETE', url, secret: key });

  const newBoard = async (name = `Board ${++n}`) =>
    expectData<Board>(await post('/v1/boards', { name }), 201);
  const newPost = async (boardId: string, body: Record<string, unknown> = {}) =>
    expectData<Post>(await post(`/v1/boards/${boardId}/posts`, { title: `Post ${++n}`, ...body }), 201);

  /** Every item of a list, following next_cursor page by page. */
  async function pages<T>(url: string, limit: number): Promise<T[][]> {
    const out: T[][] = [];
    let cursor: string | null = null;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const res = await get(
        `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as List<T>;
      out.push(body.data);
      cursor = body.next_cursor;
      expect(out.length).toBeLessThan(50);
    } while (cursor !== null);
    return out;
  }

  beforeAll(async () => {
    const ws = await t().workspace();
    key = (await t().key(ws, 'read:write')).secret;
  });

  describe('boards', () => {
    it('a created board comes back with an id, a slug from its name and no posts', async () => {
      const board = expectData<Board>(await post('/v1/boards', { name: 'Feature Requests' }), 201);
      expect(board).toEqual({
        id: expect.stringMatching(/^brd_/),
        name: 'Feature Requests',
        slug: 'feature-requests',
        description: '',
        post_count: 0,
        created_at: expect.stringMatching(ISO),
      });
      expect(expectData(await get(`/v1/boards/${board.id}`))).toEqual(board);
      expect((await get('/v1/boards')).json().data).toContainEqual(board);
    });

    it('a board can be renamed and re-described; fields not sent stay', async () => {
      const board = await newBoard();
      const changed = expectData<Board>(
        await patch(`/v1/boards/${board.id}`, { name: 'Bugs', description: 'What broke' }),
      );
      expect(changed).toEqual({ ...board, name: 'Bugs', description: 'What broke' });
      expect(expectData(await get(`/v1/boards/${board.id}`))).toEqual(changed);
    });

    it('a slug already used in the workspace is 409 ERR_CONFLICT, on create and on update', async () => {
      const first = expectData<Board>(
        await post('/v1/boards', { name: 'Roadmap', slug: `roadmap-${++n}` }),
        201,
      );
      expectError(await post('/v1/boards', { name: 'Other', slug: first.slug }), 409, 'ERR_CONFLICT');
      const second = await newBoard();
      expectError(await patch(`/v1/boards/${second.id}`, { slug: first.slug }), 409, 'ERR_CONFLICT');
      expect(expectData<Board>(await get(`/v1/boards/${second.id}`)).slug).toBe(second.slug);
    });

    it('a deleted board is gone, and so are its posts and their votes', async () => {
      const board = await newBoard();
      const p = await newPost(board.id);
      const vote = expectData<Vote>(await post(`/v1/posts/${p.id}/votes`, { voter: 'ann' }), 201);
      expect(expectData(await del(`/v1/boards/${board.id}`))).toEqual({ id: board.id, deleted: true });
      expectError(await get(`/v1/boards/${board.id}`), 404, 'ERR_NOT_FOUND');
      expectError(await get(`/v1/posts/${p.id}`), 404, 'ERR_NOT_FOUND');
      expectError(await del(`/v1/votes/${vote.id}`), 404, 'ERR_NOT_FOUND');
      expectError(await del(`/v1/boards/${board.id}`), 404, 'ERR_NOT_FOUND');
      expect((await get('/v1/boards')).json().data.map((b: Board) => b.id)).not.toContain(board.id);
    });

    it('a board that does not exist is 404 for every verb', async () => {
      const id = 'brd_doesnotexist000000000';
      expectError(await get(`/v1/boards/${id}`), 404, 'ERR_NOT_FOUND');
      expectError(await patch(`/v1/boards/${id}`, { name: 'x' }), 404, 'ERR_NOT_FOUND');
      expectError(await del(`/v1/boards/${id}`), 404, 'ERR_NOT_FOUND');
      expectError(await get(`/v1/boards/${id}/posts`), 404, 'ERR_NOT_FOUND');
      expectError(await post(`/v1/boards/${id}/posts`, { title: 'x' }), 404, 'ERR_NOT_FOUND');
    });

    it('invalid board input is 422 (empty name, bad slug, empty patch)', async () => {
      expectError(await post('/v1/boards', { name: '' }), 422, 'ERR_VALIDATION');
      expectError(await post('/v1/boards', { name: 'x', slug: 'Not A Slug' }), 422, 'ERR_VALIDATION');
      const board = await newBoard();
      expectError(await patch(`/v1/boards/${board.id}`, {}), 422, 'ERR_VALIDATION');
    });
  });

  describe('posts', () => {
    it('a created post starts open with no votes and counts on its board', async () => {
      const board = await newBoard();
      const p = expectData<Post>(
        await post(`/v1/boards/${board.id}/posts`, {
          title: 'Dark mode',
          body: 'Please',
          author: 'ann@example.com',
        }),
        201,
      );
      expect(p).toEqual({
        id: expect.stringMatching(/^pst_/),
        board_id: board.id,
        title: 'Dark mode',
        body: 'Please',
        status: 'open',
        vote_count: 0,
        author: 'ann@example.com',
        created_at: expect.stringMatching(ISO),
        updated_at: p.created_at,
      });
      expect(expectData(await get(`/v1/posts/${p.id}`))).toEqual(p);
      await newPost(board.id);
      expect(expectData<Board>(await get(`/v1/boards/${board.id}`)).post_count).toBe(2);
    });

    it('a post moves through the status workflow and updated_at follows', async () => {
      const board = await newBoard();
      const p = await newPost(board.id);
      t().clock.advance(1_000);
      const changed = expectData<Post>(await patch(`/v1/posts/${p.id}`, { status: 'in_progress' }));
      expect(changed).toEqual({ ...p, status: 'in_progress', updated_at: changed.updated_at });
      expect(Date.parse(changed.updated_at)).toBe(Date.parse(p.updated_at) + 1_000);
    });

    it('an unknown status is 422, in a body and as a filter', async () => {
      const board = await newBoard();
      const p = await newPost(board.id);
      expectError(
        await post(`/v1/boards/${board.id}/posts`, { title: 'x', status: 'done' }),
        422,
        'ERR_VALIDATION',
      );
      expectError(await patch(`/v1/posts/${p.id}`, { status: 'done' }), 422, 'ERR_VALIDATION');
      expectError(await get(`/v1/boards/${board.id}/posts?status=done`), 422, 'ERR_VALIDATION');
    });

    it('?status= lists only the posts in that status', async () => {
      const board = await newBoard();
      const planned = [
        await newPost(board.id, { status: 'planned' }),
        await newPost(board.id, { status: 'planned' }),
      ];
      await newPost(board.id);
      await newPost(board.id, { status: 'closed' });
      const list = (await get(`/v1/boards/${board.id}/posts?status=planned`)).json() as List<Post>;
      expect(list.data.map((p) => p.id).sort()).toEqual(planned.map((p) => p.id).sort());
      expect(list.next_cursor).toBeNull();
      expect(((await get(`/v1/boards/${board.id}/posts`)).json() as List<Post>).data).toHaveLength(4);
    });

    it('a deleted post is gone with its votes, and no longer counts on its board', async () => {
      const board = await newBoard();
      const p = await newPost(board.id);
      const vote = expectData<Vote>(await post(`/v1/posts/${p.id}/votes`, { voter: 'bob' }), 201);
      expect(expectData(await del(`/v1/posts/${p.id}`))).toEqual({ id: p.id, deleted: true });
      expectError(await get(`/v1/posts/${p.id}`), 404, 'ERR_NOT_FOUND');
      expectError(await get(`/v1/posts/${p.id}/votes`), 404, 'ERR_NOT_FOUND');
      expectError(await del(`/v1/votes/${vote.id}`), 404, 'ERR_NOT_FOUND');
      expect(expectData<Board>(await get(`/v1/boards/${board.id}`)).post_count).toBe(0);
    });
  });

  describe('votes', () => {
    it('a vote counts on its post, and a second vote by the same voter is 409 ERR_CONFLICT', async () => {
      const board = await newBoard();
      const p = await newPost(board.id);
      const vote = expectData<Vote>(await post(`/v1/posts/${p.id}/votes`, { voter: 'ann' }), 201);
      expect(vote).toEqual({
        id: expect.stringMatching(/^vot_/),
        post_id: p.id,
        voter: 'ann',
        created_at: expect.stringMatching(ISO),
      });
      expectError(await post(`/v1/posts/${p.id}/votes`, { voter: 'ann' }), 409, 'ERR_CONFLICT');
      expectData(await post(`/v1/posts/${p.id}/votes`, { voter: 'bob' }), 201);
      expect(expectData<Post>(await get(`/v1/posts/${p.id}`)).vote_count).toBe(2);
      const list = (await get(`/v1/posts/${p.id}/votes`)).json() as List<Vote>;
      expect(list.data.map((v) => v.voter).sort()).toEqual(['ann', 'bob']);
    });

    it('the same voter may vote on different posts', async () => {
      const board = await newBoard();
      const [a, b] = [await newPost(board.id), await newPost(board.id)];
      expectData(await post(`/v1/posts/${a.id}/votes`, { voter: 'ann' }), 201);
      expectData(await post(`/v1/posts/${b.id}/votes`, { voter: 'ann' }), 201);
    });

    it('a removed vote no longer counts, and the voter may vote again', async () => {
      const board = await newBoard();
      const p = await newPost(board.id);
      const vote = expectData<Vote>(await post(`/v1/posts/${p.id}/votes`, { voter: 'cy' }), 201);
      expect(expectData(await del(`/v1/votes/${vote.id}`))).toEqual({ id: vote.id, deleted: true });
      expect(expectData<Post>(await get(`/v1/posts/${p.id}`)).vote_count).toBe(0);
      expectError(await del(`/v1/votes/${vote.id}`), 404, 'ERR_NOT_FOUND');
      expectData(await post(`/v1/posts/${p.id}/votes`, { voter: 'cy' }), 201);
    });

    it('a vote on a post that does not exist is 404, and a vote needs a voter (422)', async () => {
      expectError(
        await post('/v1/posts/pst_doesnotexist000000000/votes', { voter: 'ann' }),
        404,
        'ERR_NOT_FOUND',
      );
      const p = await newPost((await newBoard()).id);
      expectError(await post(`/v1/posts/${p.id}/votes`, {}), 422, 'ERR_VALIDATION');
      expectError(await post(`/v1/posts/${p.id}/votes`, { voter: '  ' }), 422, 'ERR_VALIDATION');
    });
  });

  describe('pagination', () => {
    let board: Board;
    let created: Post[] = [];

    beforeAll(async () => {
      board = await newBoard();
      created = [];
      for (let i = 0; i < 30; i++) {
        t().clock.advance(1); // distinct creation times, so "newest first" is well defined
        created.push(await newPost(board.id));
      }
    });

    it('30 posts at limit=10 come in exactly 3 pages, newest first, no duplicates, next_cursor null at the end', async () => {
      const all = await pages<Post>(`/v1/boards/${board.id}/posts`, 10);
      expect(all.map((p) => p.length)).toEqual([10, 10, 10]);
      expect(all.flat().map((p) => p.id)).toEqual(created.map((p) => p.id).reverse());
    });

    it('a page size that does not divide the list still returns every item once', async () => {
      const all = await pages<Post>(`/v1/boards/${board.id}/posts`, 7);
      expect(all.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
      expect(new Set(all.flat().map((p) => p.id)).size).toBe(30);
    });

    it('the default page size is 25', async () => {
      const body = (await get(`/v1/boards/${board.id}/posts`)).json() as List<Post>;
      expect(body.data).toHaveLength(25);
      expect(body.next_cursor).toEqual(expect.any(String));
    });

    it('boards and votes paginate the same way', async () => {
      const p = created[0]!;
      for (let i = 0; i < 5; i++) expectData(await post(`/v1/posts/${p.id}/votes`, { voter: `v${i}` }), 201);
      const votes = await pages<Vote>(`/v1/posts/${p.id}/votes`, 2);
      expect(votes.map((v) => v.length)).toEqual([2, 2, 1]);
      expect(new Set(votes.flat().map((v) => v.voter))).toEqual(new Set(['v0', 'v1', 'v2', 'v3', 'v4']));
      const boards = await pages<Board>('/v1/boards', 3);
      expect(boards.flat().map((b) => b.id)).toContain(board.id);
      expect(new Set(boards.flat().map((b) => b.id)).size).toBe(boards.flat().length);
    });

    it.each(['', 'garbage', 'YzE6', Buffer.from('c1:not an id').toString('base64url'), 'x'.repeat(201)])(
      'a cursor that was not issued (%s) is 400 ERR_BAD_REQUEST',
      async (cursor) => {
        expectError(await get(`/v1/boards/${board.id}/posts?cursor=${cursor}`), 400, 'ERR_BAD_REQUEST');
      },
    );

    it.each(['0', '101', '-1', '2.5', 'ten'])('limit=%s is 422 ERR_VALIDATION', async (limit) => {
      const error = expectError(
        await get(`/v1/boards/${board.id}/posts?limit=${limit}`),
        422,
        'ERR_VALIDATION',
      );
      expect(JSON.stringify(error.details)).toContain('limit');
    });

    it('limit=1 and limit=100 are accepted', async () => {
      expect(((await get(`/v1/boards/${board.id}/posts?limit=1`)).json() as List<Post>).data).toHaveLength(1);
      expect(((await get(`/v1/boards/${board.id}/posts?limit=100`)).json() as List<Post>).data).toHaveLength(
        30,
      );
    });
  });
});
