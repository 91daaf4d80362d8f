-- PL/pgSQL would plan record_order's statements anew on every call (a plan for the given array
-- values always looks cheaper than a generic one); the generic plan, made once per session, is as
-- good for one order's rows and saves the planning on every order.
ALTER FUNCTION record_order(UUID, UUID, TEXT, NUMERIC, TEXT, UUID[], UUID[], TEXT[], NUMERIC[], INT[], UUID, TEXT, INT, TEXT, JSONB) SET plan_cache_mode = force_generic_plan;
