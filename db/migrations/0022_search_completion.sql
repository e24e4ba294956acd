-- Completion of the word being typed (issue #4, autocomplete as progressive enhancement): a prefix
-- match on the search vocabulary needs a pattern-ops index whatever the database collation.
CREATE INDEX search_vocabulary_prefix_idx ON search_vocabulary (word text_pattern_ops);
