import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The built app (`next start`) as a separate process on a drill's own scratch PostgreSQL
 * database, so the HTTP drills (issue 10: permissions, bad input, load, secrets) hit exactly
 * what an operator runs. Its stdout and stderr are kept for the drills that scan the logs.
 */
const root = path.resolve(import.meta.dirname, "../..");

/** Builds `.next` once when it is missing (CI's Playwright step has usually built it already). */
export function ensureBuilt(): void {
  if (existsSync(path.join(root, ".next/BUILD_ID"))) return;
  const built = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error(`next build failed (${built.status})`);
}

export interface AppServer {
  readonly url: string;
  readonly port: number;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Whether the process is still running (a drill's "the server stays up"). */
  alive(): boolean;
  stop(): Promise<void>;
}

export interface AppServerOptions {
  port: number;
  databaseUrl: string;
  /** Extra environment, e.g. a provider key or pool size. */
  env?: Record<string, string>;
}

/** The session secret every drill server signs cookies with (a test value, not a real secret). */
export const DRILL_AUTH_SECRET = "drill-auth-secret-not-for-production-0123456789";

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  ensureBuilt();
  // Another server on the port would answer the health check and the drill would test it instead.
  const taken = await fetch(`http://127.0.0.1:${options.port}/`).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`port ${options.port} is already in use; stop whatever listens there first`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "sy-drill-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: dataDir,
    AUTH_SECRET: DRILL_AUTH_SECRET,
    SWITCHYARD_DEMO_TRAFFIC: "off",
    PORT: String(options.port),
    ...options.env,
  };
  const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(options.port)], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHealth(url, child, () => output);
  } catch (error) {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port: options.port,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(`${url}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`next start did not become healthy in 120 s:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Signs in through next-auth's own credentials endpoint and returns the session cookie pair. */
export async function signInOverHttp(
  baseUrl: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ cookie: string; setCookie: string[] }> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      ...headers,
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: csrfCookies.join("; "),
    },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${baseUrl}/` }),
  });
  const setCookie = res.headers.getSetCookie();
  const session = setCookie.find((c) => /session-token=/.test(c));
  if (!session) throw new Error(`sign-in as ${email} set no session cookie (status ${res.status})`);
  return { cookie: session.split(";")[0]!, setCookie };
}
