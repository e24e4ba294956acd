-- Where a title is held, as a column of its own with a GIN index (issue #4 performance: the
-- facet-filtered class, "held at branch" and "available at branch").
--
-- A search filtered on a branch drove its pass by the copies at that branch: a branch holds a few
-- thousand titles, and each was fetched to test its search document against the words — on the
-- national benchmark catalogue about 1,900 titles and 10 ms for every "branch + available" search,
-- whatever the words. Now `title.holdings` lists the branches (of any library) with a copy of the
-- title that is not missing or withdrawn, and the GIN index on it lets PostgreSQL intersect "held
-- at branch" with the words' own GIN index before a single title is read. Availability is still
-- tested exactly on what is left (discovery.repository.ts); holdings only say where copies are.
--
-- 0103's try put holdings into the search document itself ('h=' lexemes) and was reverted: a
-- popular title is held by most branches, its document grew to a thousand lexemes, and every
-- common-word search, which reads exactly those documents, slowed down. A column of its own is
-- not read by a text search: its rows are wider, not its documents.
--
-- Kept by triggers on item, as 0103's try was: an insert or delete (per statement, every title it
-- touched at once) and an update that moves a copy to another branch or title, or into or out of
-- missing/withdrawn (per row, and only then: checking a copy out or in changes no holding). Each
-- library writes only its own branches (eenbieb_refresh_holdings), under the title's row lock, so
-- two libraries adding copies of one title at once both keep theirs.

ALTER TABLE title ADD COLUMN holdings uuid[] NOT NULL DEFAULT '{}';

-- An update of holdings alone is not an edit of the title: the search trigger (which rebuilds the
-- document and stamps updated_at) fires only for updates of the other columns. A new column of
-- title must be added to this list.
DROP TRIGGER title_search ON title;
CREATE TRIGGER title_search BEFORE INSERT OR UPDATE OF
  work_id, owner_library_id, source, source_id, format, title, subtitle, sort_title, contributor_names, language, year,
  year_display, edition, publisher, series, series_number, genres, subjects, audience, avi_level, isbn, ppn, description,
  open_access_url, popularity, search_vector, created_at, updated_at
  ON title FOR EACH ROW EXECUTE FUNCTION eenbieb_title_search();

-- Rewrites library `lib`'s branches in the holdings of the given titles from its copies, and
-- returns how many titles changed. SECURITY DEFINER: a library may not update national titles,
-- and its holdings are kept for it. Item and branch are tenant tables whose policies bind even
-- the owner, so the tenant is set to `lib` for the reads and put back after.
CREATE FUNCTION eenbieb_refresh_holdings(lib uuid, titles uuid[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  tenant text := current_setting('app.library_id', true);
  own uuid[];
  n integer;
BEGIN
  IF lib IS NULL OR titles IS NULL OR cardinality(titles) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM set_config('app.library_id', lib::text, true);
  -- every branch this library can have put on a title
  SELECT coalesce(array_agg(b.id), '{}') INTO own FROM branch b WHERE b.library_id = lib;
  -- Lock first, read after, in statements of their own: under READ COMMITTED the read below then
  -- sees every copy committed by a writer this one waited for, so no concurrent change is lost.
  -- FOR NO KEY UPDATE (the lock the UPDATE below takes anyway): writers of one title queue behind
  -- each other, but the foreign-key checks of copies being inserted (FOR KEY SHARE on the title)
  -- are not blocked — FOR UPDATE would deadlock two libraries whose inserts both passed their
  -- checks before either trigger ran.
  PERFORM 1 FROM title WHERE id = ANY (titles) ORDER BY id FOR NO KEY UPDATE;
  WITH held AS (
    SELECT i.title_id, array_agg(DISTINCT i.branch_id) AS branches
    FROM item i
    WHERE i.library_id = lib AND i.title_id = ANY (titles) AND i.status NOT IN ('missing', 'withdrawn')
    GROUP BY i.title_id
  ), next AS (
    -- the other libraries' branches as they are, this library's as its copies say; sorted, so an
    -- unchanged set is an unchanged array
    SELECT t.id, ARRAY(SELECT b FROM unnest(t.holdings) b WHERE NOT b = ANY (own)
                       UNION SELECT unnest(h.branches) ORDER BY 1) AS holdings
    FROM title t LEFT JOIN held h ON h.title_id = t.id
    WHERE t.id = ANY (titles)
  )
  UPDATE title t SET holdings = x.holdings FROM next x
  WHERE t.id = x.id AND t.holdings IS DISTINCT FROM x.holdings;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('app.library_id', coalesce(tenant, ''), true);
  RETURN n;
END
$$;

-- Every library's holdings on every title it holds (the backfill below, and the benchmark's bulk
-- load, which loads copies with the insert trigger off).
CREATE FUNCTION eenbieb_refresh_all_holdings() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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

-- the item triggers call the refresh as the application role; the whole-catalogue rewrite is for
-- the migration's owner only
REVOKE ALL ON FUNCTION eenbieb_refresh_holdings(uuid, uuid[]), eenbieb_refresh_all_holdings() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eenbieb_refresh_holdings(uuid, uuid[]) TO eenbieb_app;

-- one function for inserts and deletes: both triggers name their transition table changed_items
CREATE FUNCTION eenbieb_item_holdings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT library_id, array_agg(DISTINCT title_id) AS titles FROM changed_items GROUP BY library_id LOOP
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

CREATE TRIGGER item_holdings_inserted AFTER INSERT ON item REFERENCING NEW TABLE AS changed_items
  FOR EACH STATEMENT EXECUTE FUNCTION eenbieb_item_holdings_changed();
CREATE TRIGGER item_holdings_deleted AFTER DELETE ON item REFERENCING OLD TABLE AS changed_items
  FOR EACH STATEMENT EXECUTE FUNCTION eenbieb_item_holdings_changed();
-- per row, and only for a change of holding: the WHEN is tested without calling the function, so
-- check-out and check-in (available ⇄ on_loan …) cost nothing here. (Two transactions moving many
-- copies of the same titles at once lock them row by row and may deadlock; PostgreSQL then aborts
-- one, which can be retried. Moves are rare staff operations.)
CREATE TRIGGER item_holdings_moved AFTER UPDATE OF library_id, title_id, branch_id, status ON item FOR EACH ROW
  WHEN (NEW.library_id <> OLD.library_id OR NEW.title_id <> OLD.title_id OR NEW.branch_id <> OLD.branch_id
        OR (NEW.status IN ('missing', 'withdrawn')) <> (OLD.status IN ('missing', 'withdrawn')))
  EXECUTE FUNCTION eenbieb_item_holdings_moved();

-- the copies there are, then the index (built once, after the backfill)
SELECT eenbieb_refresh_all_holdings();
CREATE INDEX title_holdings_idx ON title USING gin (holdings);
