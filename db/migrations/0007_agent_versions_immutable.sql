-- An agent version that a run has used is immutable for every writer, not only for the console's
-- data layer: its content and first use stay as they were; only its status and author link may change.
CREATE FUNCTION agent_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.first_used_at IS NULL THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' OR
     (NEW.chain, NEW.agent, NEW.version, NEW.base_version, NEW.instructions, NEW.model_tier,
      NEW.tools, NEW.limits, NEW.note, NEW.first_used_at)
     IS DISTINCT FROM
     (OLD.chain, OLD.agent, OLD.version, OLD.base_version, OLD.instructions, OLD.model_tier,
      OLD.tools, OLD.limits, OLD.note, OLD.first_used_at) THEN
    RAISE EXCEPTION 'agent version %@% has been used and is immutable', OLD.agent, OLD.version
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER agent_versions_immutable BEFORE UPDATE OR DELETE ON agent_versions
  FOR EACH ROW EXECUTE FUNCTION agent_versions_guard();
