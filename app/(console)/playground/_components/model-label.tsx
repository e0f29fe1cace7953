/**
 * A model name as the console shows it. The built-in simulator is not a language model, so its
 * names (`simulator/…`) always carry a visible "Simulator" label (DESIGN.md capability 2).
 */
export function ModelLabel({ model }: { model: string }) {
  const simulated = model.startsWith("simulator/");
  return (
    <span className="inline-flex items-center gap-1 whitespace-nowrap">
      <span className="font-mono text-xs text-slate-700">{model}</span>
      {simulated ? (
        <span
          className="rounded bg-amber-100 px-1 py-px text-[10px] font-semibold tracking-wide text-amber-900 uppercase"
          title="Answered by the built-in simulator, not a language model"
        >
          Simulator
        </span>
      ) : null}
    </span>
  );
}
