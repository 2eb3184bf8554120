import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackgroundWrite } from '../../engine/io/backgroundWrite';

/** A promise and the function that resolves it: the test's own signal of when a write finishes. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

test('a background write runs while the caller goes on; the next copy waits for it, so one copy is held at a time', async () => {
  const writes = new BackgroundWrite();
  const order: string[] = [];
  const first = gate();
  await writes.start(() => {
    order.push('copy 1');
    return Promise.resolve(async () => {
      await first.opened;
      order.push('written 1');
    });
  });
  order.push('caller goes on');
  const second = writes.start(() => {
    order.push('copy 2');
    return Promise.resolve(() => {
      order.push('written 2');
      return Promise.resolve();
    });
  });
  first.open();
  await second;
  await writes.settle();
  assert.deepEqual(order, ['copy 1', 'caller goes on', 'written 1', 'copy 2', 'written 2']);
});

test('a failed background write is thrown by the next settle, once', async () => {
  const writes = new BackgroundWrite();
  await writes.start(() => Promise.resolve(() => Promise.reject(new Error('ENOSPC: no space left on device'))));
  await assert.rejects(writes.settle(), /ENOSPC/);
  await writes.settle();
});

test('a failed background write is thrown by the next start, before it copies', async () => {
  const writes = new BackgroundWrite();
  let copied = false;
  await writes.start(() => Promise.resolve(() => Promise.reject(new Error('EIO'))));
  await assert.rejects(
    writes.start(() => {
      copied = true;
      return Promise.resolve(() => Promise.resolve());
    }),
    /EIO/,
  );
  assert.equal(copied, false);
});
