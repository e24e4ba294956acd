-- Local catalogue writes (issue #4): a library's own staff add and edit its local-only titles and
-- its copies. The application role may write a work or title only with its own tenant as owner;
-- national titles stay read-only for it (network staff and the MARC import write them as owner).

GRANT INSERT, UPDATE ON work, title TO eenbieb_app;
CREATE POLICY local_insert ON work FOR INSERT
  WITH CHECK (owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid);
CREATE POLICY local_insert ON title FOR INSERT
  WITH CHECK (owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid);
CREATE POLICY local_update ON title FOR UPDATE
  USING (owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid)
  WITH CHECK (owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid);

-- Contributor names are shared by the whole network (one "Multatuli"); adding a name is harmless.
GRANT INSERT ON contributor TO eenbieb_app;

-- Who wrote a title may be changed only on titles the tenant owns.
ALTER TABLE title_contributor ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON title_contributor FOR SELECT USING (true);
CREATE POLICY local_write ON title_contributor FOR INSERT
  WITH CHECK (EXISTS (SELECT 1 FROM title t WHERE t.id = title_id
    AND t.owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid));
CREATE POLICY local_delete ON title_contributor FOR DELETE
  USING (EXISTS (SELECT 1 FROM title t WHERE t.id = title_id
    AND t.owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid));
GRANT INSERT, DELETE ON title_contributor TO eenbieb_app;
