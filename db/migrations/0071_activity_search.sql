-- Activities and services in the one search (issue #4 item 4, issue #5 item 6): the weighted search
-- vector of an activity, with the same Dutch configuration and accent folding as titles (0020), so
-- one query means the same on both sides and ranks comparably. The title of the activity weighs
-- like a book title (A), the partner organisation like a contributor (B), the themes like subjects
-- (C), the description like a description (D).
--
-- The vector is stored (a generated column), so a search does no to_tsvector work per activity.
-- No GIN index: activity is under row-level security, and PostgreSQL does not use an index for a
-- non-LEAKPROOF operator such as @@ before the policies have been applied (see 0023); the portal's
-- candidates (its own and shared upcoming activities) are few enough to match row by row.
--
-- IMMUTABLE for the same reason as eenbieb_fold (0020): a generated column or index needs it. If
-- the unaccent rules ever change, recompute whatever stores it.
CREATE FUNCTION eenbieb_activity_vector(title text, partner text, themes text[], description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('dutch', eenbieb_fold(coalesce(title, ''))), 'A')
            || setweight(to_tsvector('dutch', eenbieb_fold(coalesce(partner, ''))), 'B')
            || setweight(to_tsvector('dutch', eenbieb_fold(array_to_string(coalesce(themes, '{}'::text[]), ' '))), 'C')
            || setweight(to_tsvector('dutch', eenbieb_fold(coalesce(description, ''))), 'D') $$;

ALTER TABLE activity ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (eenbieb_activity_vector(title, partner, themes, description)) STORED;
