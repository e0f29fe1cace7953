import type { MessageDto } from "@/lib/dal/conversations";
import { formatUtc } from "@/lib/format";

const roleStyles: Record<MessageDto["role"], { label: string; box: string; tag: string }> = {
  customer: { label: "Customer", box: "border-slate-200 bg-white", tag: "bg-slate-100 text-slate-700" },
  agent: { label: "Agent", box: "border-indigo-100 bg-indigo-50/50", tag: "bg-indigo-100 text-indigo-800" },
  human: { label: "Support", box: "border-teal-100 bg-teal-50/60", tag: "bg-teal-100 text-teal-800" },
};

/**
 * Who said what, oldest first. Message text is untrusted (customers, models, tools) and is only
 * ever rendered as a React text node.
 */
export function Transcript({
  messages,
  truncated,
  turnLabels,
}: {
  messages: MessageDto[];
  truncated: boolean;
  turnLabels: ReadonlyMap<string, string>;
}) {
  if (messages.length === 0) {
    return <p className="text-sm text-slate-500">This conversation has no messages.</p>;
  }
  return (
    <>
      {truncated ? (
        <p className="mb-3 text-sm text-amber-800">
          Showing the latest {messages.length} messages; earlier ones are not shown.
        </p>
      ) : null}
      <ol className="space-y-3">
        {messages.map((m) => {
          const style = roleStyles[m.role];
          const turn = m.runId ? turnLabels.get(m.runId) : undefined;
          return (
            <li key={m.id} className={`rounded-lg border px-4 py-3 ${style.box}`}>
              <div className="mb-1 flex flex-wrap items-center gap-2 text-xs text-slate-500">
                <span className={`rounded px-1.5 py-0.5 font-medium ${style.tag}`}>{style.label}</span>
                {m.author ? <span className="font-medium text-slate-800">{m.author}</span> : null}
                <time dateTime={m.createdAt}>{formatUtc(m.createdAt)}</time>
                {turn && m.runId ? (
                  <a href={`#${m.runId}`} className="text-indigo-700 underline">
                    {turn}
                  </a>
                ) : null}
              </div>
              <p className="text-sm break-words whitespace-pre-wrap text-slate-900">{m.content}</p>
            </li>
          );
        })}
      </ol>
    </>
  );
}
