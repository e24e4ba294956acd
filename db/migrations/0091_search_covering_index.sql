-- Search candidates from one covering index (issue #4, performance).
--
-- A search takes its candidates as the matching titles in stored popularity order (bounded; see
-- discovery.repository.ts). For a common word PostgreSQL walks the popularity index and tests each
-- title's search_vector: with a plain (popularity, id) index every test is a random heap fetch
-- (~1.4 µs each in shared buffers: 10,000 of them for "den", in 20 % of a million titles, were
-- most of a 40 ms search). With search_vector and every column the candidate query and its
-- filters read included in the index, the walk is an index-only scan over consecutive index pages.
-- The index replaces title_popularity_idx (same key, so it serves every query that one did).
DROP INDEX title_popularity_idx;
CREATE INDEX title_popularity_search_idx ON title (popularity DESC, id)
  INCLUDE (owner_library_id, work_id, format, language, audience, avi_level, year, sort_title, open_access_url, search_vector);
