-- Facet values in the search document (issue #4: a rare facet value under a common word).
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

CREATE FUNCTION eenbieb_facet_lexemes(format text, language text, audience text, avi_level text, open_access boolean)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(array_remove(ARRAY[
    'f=' || format, 'l=' || language, 'a=' || audience, 'v=' || avi_level, CASE WHEN open_access THEN 'd=open' END], NULL))
$$;

CREATE OR REPLACE FUNCTION eenbieb_title_search() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.sort_title := regexp_replace(eenbieb_fold(NEW.title), '^(de|het|een|the|a|an|le|la|les|l''|der|die|das)\s+', '');
  NEW.search_vector :=
       setweight(to_tsvector('dutch', eenbieb_fold(concat_ws(' ', NEW.title, NEW.subtitle, NEW.series))), 'A')
    || setweight(to_tsvector('dutch', eenbieb_fold(NEW.contributor_names)), 'B')
    || setweight(to_tsvector('dutch', eenbieb_fold(array_to_string(NEW.subjects || NEW.genres, ' '))), 'C')
    || setweight(to_tsvector('dutch', eenbieb_fold(coalesce(NEW.description, ''))), 'D')
    || eenbieb_facet_lexemes(NEW.format, NEW.language, NEW.audience, NEW.avi_level, NEW.open_access_url IS NOT NULL);
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;

-- the titles there are: their documents gain the facet lexemes (without touching updated_at, which
-- the trigger would set: nothing a reader sees has changed)
ALTER TABLE title DISABLE TRIGGER title_search;
UPDATE title SET search_vector = search_vector || eenbieb_facet_lexemes(format, language, audience, avi_level, open_access_url IS NOT NULL);
ALTER TABLE title ENABLE TRIGGER title_search;
