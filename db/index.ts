import "server-only";
import { getDatabase, type Database } from "./client";

export type { Database } from "./client";
export * as schema from "./schema";

/** The process's one database handle (server-only entry point; scripts use ./client). */
export function db(): Database {
  return getDatabase();
}
