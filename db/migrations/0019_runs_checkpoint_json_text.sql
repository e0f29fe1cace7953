-- A stored checkpoint is where a replay starts (lib/runtime/log-replay): it must hold the runtime's
-- text, key order included, as the log does (0018). Rewrites the table once, with its indexes;
-- plan it on a large install like 0014. Readers use -> and ->>, which json has too.
ALTER TABLE "runs" ALTER COLUMN "checkpoint" SET DATA TYPE json USING "checkpoint"::json;
