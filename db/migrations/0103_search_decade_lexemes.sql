-- The search document gains the decade of its title's year (issue #4 performance: the
-- facet-filtered class).
--
-- 0099 made the filter values of the title itself lexemes (format, language, audience, AVI, open
-- access), so the filtered pass asks the GIN index for word AND values at once. A year range was
-- left over: the filtered pass walked the word's matches in popularity order and tested each
-- year, so "joost" (2 % of the national benchmark catalogue) from 2015 to 2026 read thousands of
-- titles for its 200 (75 ms). Each title now also carries 'y=<decade>' ('y=201' for 2015); a range
-- of up to twelve decades is asked as those lexemes (discovery.repository.ts facetGroups), and the
-- years are still tested exactly on the titles they let through.
--
-- Tried and not taken: lexemes for holdings ('o=<library>', 'h=<branch>', kept by triggers on
-- item) as prefilters of "available" and "at branch". A popular title is held by most of the
-- country's branches, so its document grew to a thousand lexemes (14 kB, out of line), and every
-- search of a common word, which walks exactly those titles, became slower (very common word
-- 166 → 120 searches/s on the national benchmark) — more than the filtered searches gained.
-- Nor a statistics target of 1,000 on search_vector (8,500 common lexemes kept instead of 1,000):
-- the estimates of rare words were better, but planning a search took 1.2 ms instead of 0.6, the
-- planner reading the larger statistics each time.

CREATE FUNCTION eenbieb_year_lexemes(year integer) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN year IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY['y=' || floor(year / 10.0)::int]) END
$$;

-- The document: 0099's, with the decade.
CREATE OR REPLACE FUNCTION eenbieb_title_search() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.search_vector IS DISTINCT FROM OLD.search_vector
     AND (NEW.title, NEW.subtitle, NEW.series, NEW.contributor_names, NEW.subjects, NEW.genres, NEW.description, NEW.format,
          NEW.language, NEW.audience, NEW.avi_level, NEW.open_access_url, NEW.popularity, NEW.year)
         IS NOT DISTINCT FROM (OLD.title, OLD.subtitle, OLD.series, OLD.contributor_names, OLD.subjects, OLD.genres, OLD.description,
          OLD.format, OLD.language, OLD.audience, OLD.avi_level, OLD.open_access_url, OLD.popularity, OLD.year) THEN
    RETURN NEW;
  END IF;
  NEW.sort_title := regexp_replace(eenbieb_fold(NEW.title), '^(de|het|een|the|a|an|le|la|les|l''|der|die|das)\s+', '');
  NEW.search_vector :=
       setweight(to_tsvector('dutch', eenbieb_fold(concat_ws(' ', NEW.title, NEW.subtitle, NEW.series))), 'A')
    || setweight(to_tsvector('dutch', eenbieb_fold(NEW.contributor_names)), 'B')
    || setweight(to_tsvector('dutch', eenbieb_fold(array_to_string(NEW.subjects || NEW.genres, ' '))), 'C')
    || setweight(to_tsvector('dutch', eenbieb_fold(coalesce(NEW.description, ''))), 'D')
    || eenbieb_facet_lexemes(NEW.format, NEW.language, NEW.audience, NEW.avi_level, NEW.open_access_url IS NOT NULL)
    || eenbieb_year_lexemes(NEW.year)
    || array_to_tsvector(ARRAY['p=' || eenbieb_popularity_tier(NEW.popularity)]);
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;

-- the titles there are: the decade (an update of search_vector alone, taken as written: updated_at stays)
UPDATE title SET search_vector = search_vector || eenbieb_year_lexemes(year) WHERE year IS NOT NULL;
