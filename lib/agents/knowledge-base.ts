/** The small knowledge base shipped with the demo team; technical support searches it. */
export interface Article {
  id: string;
  title: string;
  body: string;
  keywords: readonly string[];
}

export const articles: readonly Article[] = [
  {
    id: "kb-101",
    title: "Resetting your password",
    body: "Open Sign in, choose 'Forgot password' and follow the link we email you within five minutes. Links expire after an hour.",
    keywords: ["password", "reset", "login", "sign", "locked"],
  },
  {
    id: "kb-204",
    title: "Fixing 'Sync failed' errors",
    body: "Sign out and back in, then check Settings → Devices. If the error persists, remove the device and add it again; your data stays in the cloud.",
    keywords: ["sync", "error", "failed", "device", "crash"],
  },
  {
    id: "kb-310",
    title: "Installing the desktop app",
    body: "Download the installer from your account page. It needs 500 MB of free space and macOS 13, Windows 10 or Ubuntu 22.04 or newer.",
    keywords: ["install", "desktop", "download", "app", "setup"],
  },
  {
    id: "kb-412",
    title: "Using the API",
    body: "Create a key under Settings → API. Requests are limited to 600 per minute; a 429 response carries Retry-After.",
    keywords: ["api", "key", "limit", "429", "integration"],
  },
];

/** Best article by keyword overlap, or null when nothing matches. */
export function searchArticles(query: string): Article | null {
  const words = new Set(
    query
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
  let best: { article: Article; score: number } | null = null;
  for (const article of articles) {
    const score = article.keywords.filter((k) => words.has(k)).length;
    if (score > 0 && (!best || score > best.score)) best = { article, score };
  }
  return best?.article ?? null;
}
