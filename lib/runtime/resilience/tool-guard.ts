import { type Clock } from "../ports";
import { type ToolDefinition } from "../tools";
import { type BreakerStore } from "./ports";

/**
 * Puts each tool behind its breaker (`tool:<name>`). An open breaker fails the call fast with a
 * message the model can act on (apologise, try another way, hand over); the tool is not called.
 * Any error the tool throws counts as a failure: tools report business outcomes as results and
 * throw only when the system behind them misbehaves.
 */
export function guardTools(
  tools: readonly ToolDefinition[],
  breakers: BreakerStore,
  clock: Clock,
): ToolDefinition[] {
  return tools.map((tool) => {
    const key = `tool:${tool.name}`;
    const guarded: ToolDefinition = {
      ...tool,
      async execute(args, context) {
        const { decision } = await breakers.apply(key, { type: "acquire" }, clock.now());
        if (decision === "reject")
          throw new Error(`${tool.name} is temporarily unavailable; do not call it again now`);
        const probe = decision === "probe";
        let output: unknown;
        try {
          output = await tool.execute(args, context);
        } catch (error) {
          await breakers.apply(key, { type: "failure", probe }, clock.now());
          throw error;
        }
        await breakers.apply(key, { type: "success", probe }, clock.now());
        return output;
      },
    };
    return Object.freeze(guarded);
  });
}
