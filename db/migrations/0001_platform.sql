-- Platform foundation: the application role and the tenancy helper every library-level table uses.
--
-- The application role owns no table and cannot bypass row-level security. Each request runs in
-- a transaction that switches to it (transaction-local) and sets `app.library_id`; policies read
-- that setting through nullif(…, '') so an unset tenant sees nothing (after a transaction-local
-- setting ends, current_setting returns '' rather than NULL).

DO $$
BEGIN
  CREATE ROLE eenbieb_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION
  -- roles are cluster-wide: another database on the same server may have created it already
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

DO $$
BEGIN
  -- a superuser may SET ROLE to anything; any other owner needs membership to switch role
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT eenbieb_app TO %I', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO eenbieb_app;

-- Turns a table with a library_id column into a tenant table: RLS enabled and forced (so even
-- the owner is subject to it), one fail-closed policy, and data privileges for the app role.
CREATE FUNCTION eenbieb_enable_tenancy(tbl regclass) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s
       USING (library_id = nullif(current_setting(''app.library_id'', true), '''')::uuid)
       WITH CHECK (library_id = nullif(current_setting(''app.library_id'', true), '''')::uuid)',
    tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO eenbieb_app', tbl);
END
$fn$;
