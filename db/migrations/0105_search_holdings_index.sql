-- One GIN index over the search document and the holdings (issue #4 performance: the
-- facet-filtered class, "word + branch + available").
--
-- 0104 gave each column its own GIN index, and a branch search intersected them in a BitmapAnd.
-- A BitmapAnd first builds the whole bitmap of each side: for a word in 4.5 % of the national
-- benchmark catalogue ("bos", 45,000 documents) that is 45,000 entries put into a bitmap to keep
-- the 115 that a branch holds — 10–12 ms of the search, against 0.6 ms for the branch's side.
-- Within one GIN index, the conditions of a scan are and-ed entry by entry instead: the rarer
-- side leads and the other skips ahead to it through its posting tree ("fast scan"), so the same
-- question costs about 1 ms, whichever side is the larger.
--
-- The new index replaces both: its search_vector entries are the old title_search_idx's, so a
-- search without a branch reads exactly what it read before, and a title whose holdings change is
-- written into every index of the table anyway (the update cannot be HOT while holdings is
-- indexed). It keeps the old name, which other code looks up (bench/support/bulk-data.ts).
CREATE INDEX title_search_holdings_idx ON title USING gin (search_vector, holdings);
DROP INDEX title_search_idx;
DROP INDEX title_holdings_idx;
ALTER INDEX title_search_holdings_idx RENAME TO title_search_idx;
