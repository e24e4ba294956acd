-- The search document gains lexemes for filter values and popularity tiers (issue #4 performance).
--
-- Facet values.
--
-- A filtered search whose word is common ("liefde", in 5 % of a million titles) with a rare value
-- (AVI E3 for children) had no index to drive it: the second, filtered pass walked the popularity
-- index and tested every match against the filters, reading 27,000 rows to find 125 (about 60 ms
-- on the national benchmark catalogue, and up to 190 ms for a rare format). The values a search
-- filters on that belong to the title itself — format, language, audience, AVI level, open access
-- — are now also lexemes of its search_vector ('f=ebook', 'l=eng', 'a=children', 'v=E3',
-- 'd=open'), so the filtered pass asks the GIN index for word AND values at once. The planner
-- knows each lexeme's frequency (ts_typanalyze), so it intersects the posting lists for a rare
-- combination and walks the popularity index for a common one. The text parser never makes a
-- lexeme with '=', so no typed word can match a facet lexeme; they carry no position, so ts_rank
-- (which is given only the typed words) is unchanged, and the vocabulary is built from the text.
--
-- Popularity tiers.
--
-- A search wants the most popular matches. For a common word the popularity index finds them by
-- walking in popularity order and testing each title; for a rare one the GIN index finds every
-- match and they are sorted. In between — a common word with a facet value, two common words — a
-- match is one title in 50 or 100: the walk reads 10,000–20,000 titles for 200 matches, and the
-- GIN index yields 10,000 matches to fetch and sort (20–50 ms either way on the national
-- benchmark catalogue). Each title now also carries the lexeme of its popularity tier: 'p=1' for
-- the most popular 1 %, 'p=2' the next 4 %, 'p=3' the next 15 %, 'p=4' the rest. The filtered
-- pass asks tier by tier (words && values && 'p=1', then 'p=2' …) and stops once it has enough:
-- the GIN index intersects with a short tier list, or the planner walks the popularity index when
-- the tier is dense with matches. The tiers partition the popularity order, so the concatenation
-- is the exact top of the matches.
--
-- The thresholds are quantiles of the catalogue's popularity, recomputed by
-- eenbieb_refresh_popularity_tiers() (after a seed or import, and nightly: job
-- search-statistics); a title written in between takes its tier from the stored thresholds,
-- so lexeme and popularity always agree. Before the first refresh every title is in tier 4.

CREATE FUNCTION eenbieb_facet_lexemes(format text, language text, audience text, avi_level text, open_access boolean)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(array_remove(ARRAY[
    'f=' || format, 'l=' || language, 'a=' || audience, 'v=' || avi_level, CASE WHEN open_access THEN 'd=open' END], NULL))
$$;

CREATE TABLE search_popularity_tier (
  tier           smallint PRIMARY KEY CHECK (tier BETWEEN 1 AND 3),
  min_popularity integer NOT NULL CHECK (min_popularity >= 0)
);
GRANT SELECT ON search_popularity_tier TO eenbieb_app;

CREATE FUNCTION eenbieb_popularity_tier(popularity integer) RETURNS smallint LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(min(tier), 4)::smallint FROM search_popularity_tier WHERE popularity >= min_popularity
$$;

-- The document: 0020's text, the facet lexemes and the tier. An update that changes only search_vector (the tier refresh
-- below, the backfill at the end) is taken as written: recomputing the text of every re-tiered title would cost minutes on
-- a national catalogue, and nothing a reader sees changed, so updated_at stays.
CREATE OR REPLACE FUNCTION eenbieb_title_search() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.search_vector IS DISTINCT FROM OLD.search_vector
     AND (NEW.title, NEW.subtitle, NEW.series, NEW.contributor_names, NEW.subjects, NEW.genres, NEW.description, NEW.format,
          NEW.language, NEW.audience, NEW.avi_level, NEW.open_access_url, NEW.popularity)
         IS NOT DISTINCT FROM (OLD.title, OLD.subtitle, OLD.series, OLD.contributor_names, OLD.subjects, OLD.genres, OLD.description,
          OLD.format, OLD.language, OLD.audience, OLD.avi_level, OLD.open_access_url, OLD.popularity) THEN
    RETURN NEW;
  END IF;
  NEW.sort_title := regexp_replace(eenbieb_fold(NEW.title), '^(de|het|een|the|a|an|le|la|les|l''|der|die|das)\s+', '');
  NEW.search_vector :=
       setweight(to_tsvector('dutch', eenbieb_fold(concat_ws(' ', NEW.title, NEW.subtitle, NEW.series))), 'A')
    || setweight(to_tsvector('dutch', eenbieb_fold(NEW.contributor_names)), 'B')
    || setweight(to_tsvector('dutch', eenbieb_fold(array_to_string(NEW.subjects || NEW.genres, ' '))), 'C')
    || setweight(to_tsvector('dutch', eenbieb_fold(coalesce(NEW.description, ''))), 'D')
    || eenbieb_facet_lexemes(NEW.format, NEW.language, NEW.audience, NEW.avi_level, NEW.open_access_url IS NOT NULL)
    || array_to_tsvector(ARRAY['p=' || eenbieb_popularity_tier(NEW.popularity)]);
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;

-- New thresholds from the catalogue's popularity, and the tier lexeme of every title whose tier
-- changed (only those rows are written). Returns how many titles changed tier.
CREATE FUNCTION eenbieb_refresh_popularity_tiers() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  q integer[];
  n integer;
BEGIN
  -- one refresh at a time, and no title written meanwhile (it would take its tier from the old
  -- thresholds): writers of titles wait for the refresh, readers do not
  LOCK TABLE title IN SHARE ROW EXCLUSIVE MODE;
  LOCK TABLE search_popularity_tier IN EXCLUSIVE MODE;
  SELECT percentile_disc(ARRAY[0.01, 0.05, 0.2]) WITHIN GROUP (ORDER BY popularity DESC) INTO q FROM title;
  DELETE FROM search_popularity_tier;
  IF q[1] IS NOT NULL THEN
    -- a threshold of 0 would put every unborrowed title in that tier: such a tier stays empty
    INSERT INTO search_popularity_tier (tier, min_popularity)
      SELECT t, greatest(q[t], 1) FROM generate_series(1, 3) t;
  END IF;
  UPDATE title SET search_vector = ts_delete(search_vector, ARRAY['p=1', 'p=2', 'p=3', 'p=4'])
                                   || array_to_tsvector(ARRAY['p=' || eenbieb_popularity_tier(popularity)])
  WHERE NOT search_vector @@ ('''p=' || eenbieb_popularity_tier(popularity) || '''')::tsquery;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- How common each lexeme is, as the planner knows it (pg_stats of title.search_vector, kept by
-- ANALYZE), for the search's choice of pass (lexeme-stats.ts). pg_stats hides the statistics of a
-- table under row-level security from a role the policies apply to — the application role, for
-- title — so the owner reads them. They are frequencies of lexemes, not rows.
CREATE FUNCTION eenbieb_search_lexeme_stats(OUT elems text[], OUT freqs real[], OUT titles float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, greatest(c.reltuples, 0)::float8
  FROM pg_class c
  LEFT JOIN pg_stats s ON s.schemaname = c.relnamespace::regnamespace::text AND s.tablename = c.relname AND s.attname = 'search_vector'
  WHERE c.oid = 'title'::regclass
$$;
GRANT EXECUTE ON FUNCTION eenbieb_search_lexeme_stats() TO eenbieb_app;

-- the titles there are: their documents gain the facet lexemes (an update of search_vector alone,
-- taken as written by the trigger: updated_at stays), then their tiers
UPDATE title SET search_vector = search_vector || eenbieb_facet_lexemes(format, language, audience, avi_level, open_access_url IS NOT NULL);
SELECT eenbieb_refresh_popularity_tiers();
