import postgres from "postgres";

/** A database created on the PostgreSQL server at `serverUrl`, and how to drop it again. */
export interface ServerDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * Creates database `name` on the server, as a copy of `opts.template` when given (it must have
 * no open connections); `opts.replace` drops one of that name left behind first. No vitest
 * imports: tests/global-setup.ts runs outside a test file.
 */
export async function createServerDatabase(
  serverUrl: string,
  name: string,
  opts: { template?: string; replace?: boolean } = {},
): Promise<ServerDatabase> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  if (opts.replace) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"${opts.template ? ` template "${opts.template}"` : ""}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
