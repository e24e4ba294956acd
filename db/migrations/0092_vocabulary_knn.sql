-- "Bedoelde u" (issue #4, performance): the closest known word to a misspelled one by trigram
-- distance, nearest first from a GiST index (KNN), instead of collecting every word that shares
-- enough trigrams through the GIN index and sorting them all (~40 ms per search at 7,000 words
-- on the benchmark server; a search for a rare word paid it too).
CREATE INDEX search_vocabulary_trgm_gist ON search_vocabulary USING gist (word gist_trgm_ops);
