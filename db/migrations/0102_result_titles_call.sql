-- The titles on a page of search results, cheaper (issue #4 performance).
--
-- Every search with results reads all titles of the page's works with their copies here, grouped
-- by branch, shelf and status (discovery.repository.ts titlesOfWorks). On the national benchmark
-- catalogue that was 1.5 ms to run and 0.4 ms to plan under load, for each search of every class:
-- the copies of popular titles were read from the heap for their shelf, and the query was planned
-- anew each time. The copy index now carries the shelf (an index-only read), and the query is a
-- PL/pgSQL function whose plan is kept per connection.
CREATE INDEX item_title_shelf_idx ON item (library_id, title_id, branch_id, status) INCLUDE (shelf);
DROP INDEX item_title_idx;
ALTER INDEX item_title_shelf_idx RENAME TO item_title_idx;

CREATE FUNCTION eenbieb_titles_of_works(lib uuid, works uuid[])
RETURNS TABLE (id uuid, work_id uuid, format text, title text, subtitle text, contributor_names text, year smallint,
               year_display text, language text, audience text, avi_level text, series text, series_number text, genres text[],
               open_access_url text, isbn text, copies json)
LANGUAGE plpgsql STABLE
-- planned once per connection: PL/pgSQL would otherwise plan the query anew on every call whenever
-- a plan for the given values looks cheaper than the generic one (pg_stat_statements showed 1.7 ms
-- of planning per call under load)
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  RETURN QUERY
    SELECT t.id, t.work_id, t.format, t.title, t.subtitle, t.contributor_names, t.year, t.year_display, t.language, t.audience,
           t.avi_level, t.series, t.series_number, t.genres, t.open_access_url, t.isbn,
           (SELECT coalesce(json_agg(json_build_object('branchSlug', b.slug, 'branchName', b.name, 'shelf', g.shelf, 'status', g.status, 'n', g.n)), '[]')
            FROM (SELECT i.branch_id, i.shelf, i.status, count(*)::int AS n FROM item i
                  WHERE i.library_id = lib AND i.title_id = t.id GROUP BY 1, 2, 3) g
            JOIN branch b ON b.library_id = lib AND b.id = g.branch_id)
    FROM title t
    WHERE t.work_id = ANY (works) AND (t.owner_library_id IS NULL OR t.owner_library_id = lib)
    ORDER BY t.format, t.id;
END
$$;
