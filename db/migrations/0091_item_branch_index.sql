-- The copies at a branch (issue #4, performance): a search filtered on branches starts from the
-- copies there — a branch holds a few thousand of a million titles — instead of testing matching
-- titles one by one for a copy at that branch (discovery.repository.ts). Status is in the key so
-- "available here" is read from the index alone.
CREATE INDEX item_branch_idx ON item (library_id, branch_id, status, title_id);
