import { describe, expect, it } from 'vitest';
import { createSerialQueue } from '../../src/shared/serial-queue';

describe('createSerialQueue', () => {
  it('should start each task only after the one queued before it has settled, in order', async () => {
    const queue = createSerialQueue();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = queue(async () => {
      events.push('first starts');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      events.push('first ends');
      return 1;
    });
    const second = queue(async () => {
      events.push('second starts');
      return 2;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(events).toEqual(['first starts']);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(events).toEqual(['first starts', 'first ends', 'second starts']);
  });

  it('should give a rejection to its own caller only and run the next task anyway', async () => {
    const queue = createSerialQueue();
    const failing = queue(async () => {
      throw new Error('write failed');
    });
    const next = queue(async () => 'ran');
    await expect(failing).rejects.toThrow('write failed');
    await expect(next).resolves.toBe('ran');
  });

  it('should keep two queues independent', async () => {
    const a = createSerialQueue();
    const b = createSerialQueue();
    let releaseA!: () => void;
    void a(() => new Promise<void>((resolve) => (releaseA = resolve)));
    await expect(b(async () => 'b ran while a waits')).resolves.toBe('b ran while a waits');
    releaseA();
  });
});
