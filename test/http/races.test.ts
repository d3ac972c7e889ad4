/**
 * Requests racing each other: creating a post while its board is deleted, or a vote while its post
 * is deleted, ends in 201 or 404 for each, never 500 (the foreign key catches the late insert).
 */
import { expect, it } from 'vitest';
import { describeDialects, expectData, send, useApp } from './harness.ts';

describeDialects('racing requests', (create) => {
  const t = useApp(create);

  it('posts created while their board is deleted are 201 or 404', async () => {
    const ws = await t().workspace();
    const { secret } = await t().key(ws, 'read:write');
    const statuses = new Map<number, number>();
    for (let round = 0; round < 10; round++) {
      const board = expectData<{ id: string }>(
        await send(t(), { method: 'POST', url: '/v1/boards', secret, body: { name: `Race ${round}` } }),
        201,
      );
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          send(t(), {
            method: 'POST',
            url: `/v1/boards/${board.id}/posts`,
            secret,
            body: { title: `p${i}` },
          }),
        ),
        send(t(), { method: 'DELETE', url: `/v1/boards/${board.id}`, secret }),
      ]);
      for (const a of answers.slice(0, -1)) statuses.set(a.statusCode, (statuses.get(a.statusCode) ?? 0) + 1);
    }
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 404)).toEqual([]);
  });

  it('votes cast while their post is deleted are 201 or 404', async () => {
    const ws = await t().workspace();
    const { secret } = await t().key(ws, 'read:write');
    const board = expectData<{ id: string }>(
      await send(t(), { method: 'POST', url: '/v1/boards', secret, body: { name: 'Votes race' } }),
      201,
    );
    const statuses = new Map<number, number>();
    for (let round = 0; round < 10; round++) {
      const post = expectData<{ id: string }>(
        await send(t(), {
          method: 'POST',
          url: `/v1/boards/${board.id}/posts`,
          secret,
          body: { title: `r${round}` },
        }),
        201,
      );
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          send(t(), { method: 'POST', url: `/v1/posts/${post.id}/votes`, secret, body: { voter: `v${i}` } }),
        ),
        send(t(), { method: 'DELETE', url: `/v1/posts/${post.id}`, secret }),
      ]);
      for (const a of answers.slice(0, -1)) statuses.set(a.statusCode, (statuses.get(a.statusCode) ?? 0) + 1);
    }
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 404)).toEqual([]);
  });
});
