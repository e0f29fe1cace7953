/**
 * A strict parser of the Prometheus text exposition format (0.0.4) for tests.
 *
 * Written here because the npm parser that fits (parse-prometheus-text-format 1.1.1) merges every
 * series of a labelled histogram into one and drops their labels. This one rejects what a
 * Prometheus server would reject or what signals a broken exporter: a sample before its family's
 * TYPE, a name outside its family, bad label syntax or escapes, a non-numeric value, a repeated
 * series, a family declared twice, histogram buckets that are not cumulative or whose +Inf bucket
 * differs from _count.
 */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  series: Series[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | null = null;
  text.split("\n").forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === "") return;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ""] = meta as unknown as [string, string, string, string?];
      if (!NAME.test(name)) fail("invalid metric name");
      let family: Family | undefined = current?.name === name ? current : undefined;
      if (!family) {
        if (families.has(name)) fail("family declared twice");
        family = { name, help: "", type: "untyped", series: [] };
        families.set(name, family);
      }
      if (kind === "HELP") family.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      else {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) fail("unknown type");
        if (family.series.length > 0) fail("TYPE after samples");
        family.type = rest as MetricType;
      }
      current = family;
      return;
    }
    if (line.startsWith("#")) return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) return fail("malformed sample");
    const [, name, rawLabels, rawValue] = m as unknown as [string, string, string | undefined, string];
    if (!current) return fail("sample without a TYPE");
    const allowed =
      current.type === "histogram"
        ? [`${current.name}_bucket`, `${current.name}_sum`, `${current.name}_count`]
        : current.type === "summary"
          ? [current.name, `${current.name}_sum`, `${current.name}_count`]
          : [current.name];
    if (!allowed.includes(name)) fail(`sample outside family ${current.name}`);
    if (!NUMBER.test(rawValue)) fail("invalid value");
    const labels = rawLabels ? parseLabels(rawLabels.slice(1, -1), fail) : {};
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) fail("repeated series");
    seen.add(key);
    current.series.push({ name, labels, value: Number(rawValue.replace("Inf", "Infinity")) });
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function parseLabels(body: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = body;
  while (rest.length > 0) {
    const m = /^([^=]+)="((?:[^"\\]|\\.)*)"(,?)/.exec(rest);
    if (!m) return fail("malformed labels");
    const [all, name, raw, comma] = m as unknown as [string, string, string, string];
    if (!LABEL.test(name)) fail(`invalid label name ${name}`);
    if (name in labels) fail(`label ${name} repeated`);
    if (/\\[^\\n"]/.test(raw)) fail("invalid escape in label value");
    labels[name] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(all.length);
    if (rest.length > 0 && comma !== ",") fail("labels not separated by commas");
  }
  return labels;
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: { le: number; value: number }[]; count?: number; sum?: number }>();
  for (const s of family.series) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      g.buckets.push({ le: Number(le.replace("Inf", "Infinity")), value: s.value });
    } else if (s.name.endsWith("_count")) g.count = s.value;
    else g.sum = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${family.name}${key}`;
    const inf = g.buckets.find((b) => b.le === Infinity);
    if (!inf || g.count === undefined || g.sum === undefined) throw new Error(`${where}: needs +Inf, _sum and _count`);
    if (inf.value !== g.count) throw new Error(`${where}: +Inf bucket ${inf.value} != count ${g.count}`);
    g.buckets.forEach((b, i) => {
      const prev = g.buckets[i - 1];
      if (prev && (b.le <= prev.le || b.value < prev.value)) throw new Error(`${where}: buckets not ascending and cumulative`);
    });
  }
}

/** The value of one series; throws when it is absent (so a missing metric fails loudly). */
export function seriesValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const familyName = name.replace(/_(bucket|sum|count)$/, "");
  const family = families.get(name) ?? families.get(familyName);
  const want = JSON.stringify(Object.entries(labels).sort());
  const found = family?.series.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want);
  if (!found) throw new Error(`no series ${name}${JSON.stringify(labels)}`);
  return found.value;
}
