import { storage, type StorageItemKey } from 'wxt/utils/storage';
import type { z } from 'zod';

/** What a read found: nothing, a value that matches the schema, or something that does not. */
export type StoredRead<T> = { status: 'absent' } | { status: 'valid'; value: T } | { status: 'invalid' };

export interface StoredItem<T> {
  readonly key: StorageItemKey;
  /** The stored value, validated; `invalid` is logged (paths only, never the value) and never repaired. */
  read(): Promise<StoredRead<T>>;
  /** The value, or null when it is absent or invalid (fail closed: invalid counts as absent). */
  get(): Promise<T | null>;
  /** Validates (a value that does not match the schema is a bug: it throws) and writes through. */
  set(value: T): Promise<void>;
  remove(): Promise<void>;
  /** Stops watching storage for changes. */
  dispose(): void;
}

export interface StoredItemOptions<T> {
  schema: z.ZodType<T>;
  /**
   * The version of the shape `schema` describes. A value stored without WXT's `key$` meta (0.1.0 wrote
   * none) is version 1; `migrations[n]` turns version n - 1 into version n.
   */
  version: number;
  migrations?: Record<number, (previous: unknown) => unknown>;
  warn?: (message: string) => void;
}

const ABSENT = { status: 'absent' } as const;
const INVALID = { status: 'invalid' } as const;

/**
 * One stored key as a WXT storage item (https://wxt.dev/storage.html): versioned, migrated by WXT when
 * it is defined, validated with zod on every read from storage.
 *
 * Defining it starts its migrations, so items are defined inside the background's main(), never at
 * import. WXT swallows a failed migration (it logs and leaves the old value): the old value then fails
 * this schema and is treated like any invalid value, as absent.
 *
 * Repeated reads are answered from memory: the popup's first message needs several keys and must not
 * wait for a storage round trip per key (docs/performance.md). Storage stays the truth: our writes
 * update the memory copy at once, a failed write forgets it, and every change event for the key (ours
 * or another context's) forgets it, so the next read goes back to storage. A read that was overtaken
 * by a change is not kept.
 */
export function defineStoredItem<T>(key: StorageItemKey, options: StoredItemOptions<T>): StoredItem<T> {
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const item = storage.defineItem<unknown>(key, {
    version: options.version,
    ...(options.migrations ? { migrations: options.migrations } : {}),
  });
  let cached: StoredRead<T> | null = null;
  /** Bumped by every write and change: a read that started before must not fill the cache. */
  let generation = 0;
  const forget = () => {
    cached = null;
    generation += 1;
  };
  const unwatch = item.watch(forget);

  function validate(raw: unknown): StoredRead<T> {
    if (raw === null || raw === undefined) return ABSENT;
    const parsed = options.schema.safeParse(raw);
    if (parsed.success) return { status: 'valid', value: parsed.data };
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    warn(`Ignoring invalid stored "${key}" (${where})`);
    return INVALID;
  }

  async function read(): Promise<StoredRead<T>> {
    if (!cached) {
      const started = generation;
      const result = validate(await item.getValue());
      // Changed while we read: this answer may be older than the change, ask storage again.
      if (generation !== started) return structuredClone(validate(await item.getValue()));
      cached = result;
    }
    return structuredClone(cached);
  }

  return {
    key,
    read,
    async get() {
      const result = await read();
      return result.status === 'valid' ? result.value : null;
    },
    async set(value) {
      const checked = options.schema.parse(value);
      forget();
      cached = { status: 'valid', value: structuredClone(checked) };
      try {
        await item.setValue(checked);
      } catch (error) {
        forget();
        throw error;
      }
    },
    async remove() {
      forget();
      cached = ABSENT;
      try {
        await item.removeValue();
      } catch (error) {
        forget();
        throw error;
      }
    },
    dispose: unwatch,
  };
}
