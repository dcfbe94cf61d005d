/**
 * The parts of the Cloudflare Durable Object API the companion uses, typed structurally so the
 * code compiles without Cloudflare's global types (which clash with Node's and the DOM's) and the
 * Worker needs no `cloudflare:workers` import. Classic fetch-based objects: a class with
 * `constructor(state, env)`, `fetch(request)` and `alarm()`.
 */
export interface DurableObjectStorageLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  deleteAll(): Promise<void>;
  setAlarm(scheduledTime: number): Promise<void>;
}

export interface DurableObjectStateLike {
  storage: DurableObjectStorageLike;
}

export interface DurableObjectStubLike {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): DurableObjectStubLike;
}

/** A binding that can address objects by name (what `[[durable_objects.bindings]]` gives a Worker). */
export function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespaceLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<DurableObjectNamespaceLike>).idFromName === 'function' &&
    typeof (value as Partial<DurableObjectNamespaceLike>).get === 'function'
  );
}
