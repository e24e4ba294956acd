-- The activity side of every search as one PL/pgSQL call (issue #4 performance).
--
-- activity-search.ts sent this query as SQL text with every search: on the national benchmark
-- catalogue (pg_stat_statements, BENCH_PG_STATS=1) it took 0.74 ms to plan and 0.01 ms to run,
-- a tenth of a common-word search's database time spent planning a query over a few hundred
-- rows. PL/pgSQL keeps the plan for the connection. The same query as in activity-search.ts
-- before, with the optional parts (words, date range) as parameters that may be NULL; it runs
-- as the caller, under the tenant's row-level security like any statement of the search.
CREATE FUNCTION eenbieb_activity_candidates(lib uuid, words text, since timestamptz, until timestamptz, at timestamptz, max_rows integer)
RETURNS TABLE (id uuid, organiser_id uuid, kind text, title text, description text, audience text[], statutory_functions text[],
               themes text[], language text, branch_id uuid, branch_slug text, branch_name text, online boolean, price_cents integer,
               starts_at timestamptz, ends_at timestamptz, upcoming_sessions integer, rank float8)
LANGUAGE plpgsql STABLE
-- planned once per connection: PL/pgSQL would otherwise plan the query anew on every call whenever
-- a plan for the given values looks cheaper than the generic one (pg_stat_statements showed 1.7 ms
-- of planning per call under load)
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  tsq tsquery := CASE WHEN words IS NULL THEN NULL ELSE websearch_to_tsquery('dutch', eenbieb_fold(words)) END;
BEGIN
  RETURN QUERY
    SELECT v.id, v.organiser_id, v.kind, v.title, left(v.description, 300), v.audience, v.statutory_functions, v.themes, v.language,
           b.id, b.slug, b.name, v.online, v.price_cents, v.starts_at, v.ends_at,
           (SELECT count(*)::int FROM activity_session u WHERE u.library_id = v.organiser_id AND u.activity_id = v.id
              AND u.status = 'scheduled' AND u.ends_at >= at),
           -- ts_rank weights {D, C, B, A}, the same as titles: description < themes < partner < title
           CASE WHEN tsq IS NULL THEN 0::float8 ELSE ts_rank('{0.1,0.25,0.5,1.0}'::float4[], v.vector, tsq)::float8 END
    FROM (
      -- the visible, published activities with a session to come; their vector read once each
      SELECT a.id, a.library_id AS organiser_id, a.kind, a.title, a.description, a.audience, a.statutory_functions, a.themes,
             a.language, a.branch_id, a.online, a.price_cents, nx.starts_at, nx.ends_at, a.search_vector AS vector
      FROM activity a
      CROSS JOIN LATERAL (
        SELECT s.starts_at, s.ends_at FROM activity_session s
        WHERE s.library_id = a.library_id AND s.activity_id = a.id AND s.status = 'scheduled'
          AND s.ends_at >= since AND (until IS NULL OR s.starts_at < until)
          -- a course is one booking: it is on offer until its first meeting, as in the agenda
          AND (a.kind <> 'course' OR s.id = (SELECT f.id FROM activity_session f WHERE f.library_id = a.library_id
                AND f.activity_id = a.id ORDER BY f.starts_at, f.id LIMIT 1))
        ORDER BY s.starts_at, s.id LIMIT 1) nx
      WHERE (a.library_id = lib OR a.shared_network) AND a.status = 'published'
      OFFSET 0 -- a fence: the vector is read once per activity
    ) v
    LEFT JOIN branch b ON v.organiser_id = lib AND b.library_id = v.organiser_id AND b.id = v.branch_id
    WHERE tsq IS NULL OR v.vector @@ tsq
    ORDER BY v.starts_at, v.id
    LIMIT max_rows;
END
$$;
