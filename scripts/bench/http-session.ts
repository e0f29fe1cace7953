/** Signs in through next-auth's credentials endpoints and keeps the session cookie. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiesOf(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${baseUrl}/` }),
  });
  const session = cookiesOf(res);
  if (!session.includes("session-token")) throw new Error(`sign-in failed (${res.status})`);
  return `${jar}; ${session}`;
}

function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Median and p95 of `n` timed GETs after `warmup` untimed ones; fails on a non-200. */
export async function timeGet(url: string, cookie: string, n = 15, warmup = 3) {
  const times: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    if (i >= warmup) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(n / 2)]!, p95Ms: times[Math.min(n - 1, Math.ceil(n * 0.95) - 1)]! };
}
