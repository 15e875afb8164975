/**
 * How a slice of a composed zustand store reads and writes: only its own fields (plus the few it reads
 * from the rest, named in `S`). The composed store's `set` and `get` satisfy these types, so each slice
 * can be built, and tested, on its own.
 */
export type SliceSet<S> = (patch: Partial<S> | ((state: S) => Partial<S>)) => void;
export type SliceGet<S> = () => S;
