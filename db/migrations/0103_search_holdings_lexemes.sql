-- The search document gains lexemes for where a title is held and for its decade (issue #4
-- performance: the facet-filtered class).
--
-- 0099 made the filter values of the title itself lexemes (format, language, audience, AVI, open
-- access), so the filtered pass asks the GIN index for word AND values at once. Three filters were
-- left over, and they are the costly ones: "available now" (at this library, or at chosen
-- branches), "held at branch …", and a year range. The filtered pass walked the matches of the
-- word in popularity order and probed each one's copies: a library holds one in ten titles of the
-- national catalogue, so "school" with "available" read 5,000 matches to find its 200 (about
-- 100 ms on the national benchmark catalogue), and "held at branch X" tested the search_vector
-- of each of the 2,000 titles the branch holds (15 ms).
--
-- Now a title also carries:
-- - 'o=<library>' for each library holding a copy of it that is not missing or withdrawn, and
--   'h=<branch>' for each such branch — the first 8 hex digits of the id (eenbieb_holding_key). A
--   collision of two keys would only let a few more titles through to the exact test below;
-- - 'y=<decade>' for its year: 'y=201' for 2015.
-- They are prefilters: the search still tests availability, branches and years exactly on the
-- titles they let through (discovery.repository.ts), but almost every title they let through
-- passes, so the pass stops after about as many titles as it returns.
--
-- Holdings are kept by triggers on item: an insert or delete (per statement, every title it touched
-- at once) and an update that moves a copy to another branch or title, or into or out of
-- missing/withdrawn (per row, and only then: checking a copy out or in changes no holding). Each
-- library writes only its own lexemes (eenbieb_refresh_holdings), under the title's row lock, so
-- two libraries adding copies of one title at once both keep theirs.

CREATE FUNCTION eenbieb_holding_key(id uuid) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(id::text, 8)
$$;

CREATE FUNCTION eenbieb_year_lexemes(year integer) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN year IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY['y=' || floor(year / 10.0)::int]) END
$$;

-- Rewrites the holdings lexemes of library `lib` on the given titles from its copies, and returns
-- how many titles changed. SECURITY DEFINER: a library may not update national titles, and its
-- lexemes are maintained for it. Item and branch are tenant tables whose policies bind even the
-- owner, so the tenant is set to `lib` for the reads and put back after.
CREATE FUNCTION eenbieb_refresh_holdings(lib uuid, titles uuid[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  tenant text := current_setting('app.library_id', true);
  own text[];
  n integer;
BEGIN
  IF lib IS NULL OR titles IS NULL OR cardinality(titles) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM set_config('app.library_id', lib::text, true);
  -- every lexeme this library can have put on a title: its own and its branches'
  SELECT ARRAY['o=' || eenbieb_holding_key(lib)] || coalesce(array_agg('h=' || eenbieb_holding_key(b.id)), '{}')
    INTO own FROM branch b WHERE b.library_id = lib;
  -- Lock first, read after, in statements of their own: under READ COMMITTED the read below then
  -- sees every copy committed by a writer this one waited for, so no concurrent change is lost.
  PERFORM 1 FROM title WHERE id = ANY (titles) ORDER BY id FOR UPDATE;
  WITH held AS (
    SELECT i.title_id, array_agg(DISTINCT 'h=' || eenbieb_holding_key(i.branch_id)) || ARRAY['o=' || eenbieb_holding_key(lib)] AS lexemes
    FROM item i
    WHERE i.library_id = lib AND i.title_id = ANY (titles) AND i.status NOT IN ('missing', 'withdrawn')
    GROUP BY i.title_id
  ), next AS (
    SELECT t.id, ts_delete(t.search_vector, own) || array_to_tsvector(coalesce(h.lexemes, '{}')) AS search_vector
    FROM title t LEFT JOIN held h ON h.title_id = t.id
    WHERE t.id = ANY (titles)
  )
  -- an update of search_vector alone: the title trigger takes it as written (updated_at stays)
  UPDATE title t SET search_vector = x.search_vector FROM next x
  WHERE t.id = x.id AND t.search_vector IS DISTINCT FROM x.search_vector;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('app.library_id', coalesce(tenant, ''), true);
  RETURN n;
END
$$;

-- Every library's holdings on every title it holds (the backfill below, and the benchmark's bulk
-- load, which loads copies with the triggers off).
CREATE FUNCTION eenbieb_refresh_all_holdings() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  tenant text := current_setting('app.library_id', true);
  lib uuid;
  n integer := 0;
BEGIN
  FOR lib IN SELECT id FROM library ORDER BY id LOOP
    PERFORM set_config('app.library_id', lib::text, true);
    n := n + eenbieb_refresh_holdings(lib, ARRAY(SELECT DISTINCT title_id FROM item WHERE library_id = lib));
  END LOOP;
  PERFORM set_config('app.library_id', coalesce(tenant, ''), true);
  RETURN n;
END
$$;

CREATE FUNCTION eenbieb_item_holdings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT library_id, array_agg(DISTINCT title_id) AS titles FROM inserted_items GROUP BY library_id LOOP
    PERFORM eenbieb_refresh_holdings(r.library_id, r.titles);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION eenbieb_item_holdings_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT library_id, array_agg(DISTINCT title_id) AS titles FROM deleted_items GROUP BY library_id LOOP
    PERFORM eenbieb_refresh_holdings(r.library_id, r.titles);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION eenbieb_item_holdings_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM eenbieb_refresh_holdings(OLD.library_id, ARRAY[OLD.title_id]);
  IF NEW.title_id <> OLD.title_id OR NEW.library_id <> OLD.library_id THEN
    PERFORM eenbieb_refresh_holdings(NEW.library_id, ARRAY[NEW.title_id]);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER item_holdings_inserted AFTER INSERT ON item REFERENCING NEW TABLE AS inserted_items
  FOR EACH STATEMENT EXECUTE FUNCTION eenbieb_item_holdings_inserted();
CREATE TRIGGER item_holdings_deleted AFTER DELETE ON item REFERENCING OLD TABLE AS deleted_items
  FOR EACH STATEMENT EXECUTE FUNCTION eenbieb_item_holdings_deleted();
-- per row, and only for a change of holding: the WHEN is tested without calling the function, so
-- check-out and check-in (available ⇄ on_loan …) cost nothing here
CREATE TRIGGER item_holdings_moved AFTER UPDATE OF library_id, title_id, branch_id, status ON item FOR EACH ROW
  WHEN (NEW.library_id <> OLD.library_id OR NEW.title_id <> OLD.title_id OR NEW.branch_id <> OLD.branch_id
        OR (NEW.status IN ('missing', 'withdrawn')) <> (OLD.status IN ('missing', 'withdrawn')))
  EXECUTE FUNCTION eenbieb_item_holdings_moved();

-- The document: 0099's, with the decade, and the holdings lexemes carried over from the old
-- document (they come from copies, not from the title's own fields, and are kept by the triggers
-- above).
CREATE OR REPLACE FUNCTION eenbieb_title_search() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  held tsvector := '';
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.search_vector IS DISTINCT FROM OLD.search_vector
     AND (NEW.title, NEW.subtitle, NEW.series, NEW.contributor_names, NEW.subjects, NEW.genres, NEW.description, NEW.format,
          NEW.language, NEW.audience, NEW.avi_level, NEW.open_access_url, NEW.popularity, NEW.year)
         IS NOT DISTINCT FROM (OLD.title, OLD.subtitle, OLD.series, OLD.contributor_names, OLD.subjects, OLD.genres, OLD.description,
          OLD.format, OLD.language, OLD.audience, OLD.avi_level, OLD.open_access_url, OLD.popularity, OLD.year) THEN
    RETURN NEW;
  END IF;
  -- (a statement of its own, run only for an update: a subquery in the expression below would take
  -- every insert off PL/pgSQL's fast path for simple expressions)
  IF TG_OP = 'UPDATE' THEN
    held := array_to_tsvector(ARRAY(SELECT l FROM unnest(tsvector_to_array(OLD.search_vector)) l WHERE l LIKE 'o=%' OR l LIKE 'h=%'));
  END IF;
  NEW.sort_title := regexp_replace(eenbieb_fold(NEW.title), '^(de|het|een|the|a|an|le|la|les|l''|der|die|das)\s+', '');
  NEW.search_vector :=
       setweight(to_tsvector('dutch', eenbieb_fold(concat_ws(' ', NEW.title, NEW.subtitle, NEW.series))), 'A')
    || setweight(to_tsvector('dutch', eenbieb_fold(NEW.contributor_names)), 'B')
    || setweight(to_tsvector('dutch', eenbieb_fold(array_to_string(NEW.subjects || NEW.genres, ' '))), 'C')
    || setweight(to_tsvector('dutch', eenbieb_fold(coalesce(NEW.description, ''))), 'D')
    || eenbieb_facet_lexemes(NEW.format, NEW.language, NEW.audience, NEW.avi_level, NEW.open_access_url IS NOT NULL)
    || eenbieb_year_lexemes(NEW.year)
    || array_to_tsvector(ARRAY['p=' || eenbieb_popularity_tier(NEW.popularity)])
    || held;
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;

-- The search chooses its pass from the planner's statistics of search_vector (lexeme-stats.ts),
-- and so does the planner. At the default statistics target ANALYZE keeps the 1,000 most common
-- lexemes — down to 0.3 % of the titles on the national benchmark catalogue — and takes any other
-- word for 0.15 % (1,500 titles), so a word in five titles was searched as a middling one. At
-- 1,000 it keeps about 8,500, down to 0.02 % (ANALYZE of a million titles then takes 10 s).
ALTER TABLE title ALTER COLUMN search_vector SET STATISTICS 1000;

-- the titles there are: the decade (an update of search_vector alone, taken as written), then
-- every library's holdings
UPDATE title SET search_vector = search_vector || eenbieb_year_lexemes(year) WHERE year IS NOT NULL;
SELECT eenbieb_refresh_all_holdings();
