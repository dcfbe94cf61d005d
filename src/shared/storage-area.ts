/** The two storage areas the extension keeps data in: `session` (memory only) and `local` (on disk). */
export type StorageAreaName = 'session' | 'local';

/**
 * One `storage` area as MV3 exposes it without any library: promise-based in Chrome (`chrome.*`) and
 * Firefox (`browser.*`). Code that only reads takes `Pick<StorageArea, 'get'>`.
 */
export interface StorageArea {
  get(keys: string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
  clear(): Promise<void>;
}
