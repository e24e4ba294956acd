-- Online activities shared with the whole network (issue 5, item 4). A published activity with
-- shared_network is public information that every portal shows under its own brand, so every
-- tenant may read it and its sessions (like library_service_area, a documented public read).
-- Writing stays with the organising library (the tenant policy covers every other command), and
-- registrations stay under the organiser's tenant: the organiser sees who registered, nobody
-- else does.
CREATE POLICY shared_read ON activity FOR SELECT
  USING (shared_network AND status IN ('published', 'cancelled'));

CREATE POLICY shared_read ON activity_session FOR SELECT
  USING (EXISTS (
    SELECT 1 FROM activity a
    WHERE a.library_id = activity_session.library_id AND a.id = activity_session.activity_id
      AND a.shared_network AND a.status IN ('published', 'cancelled')));

-- What the participant's home library sees of a shared activity elsewhere: counts only, never
-- who. Written in the same transaction as the registration or check-in (the service switches
-- the tenant setting to the home library for this one statement), so the counts cannot drift.
-- No foreign key to the activity: it belongs to another tenant (and may be deleted there).
CREATE TABLE shared_participation (
  library_id           uuid NOT NULL REFERENCES library (id),
  organiser_library_id uuid NOT NULL REFERENCES library (id),
  activity_id          uuid NOT NULL,
  title                text NOT NULL,
  registered           integer NOT NULL DEFAULT 0 CHECK (registered >= 0),
  attended             integer NOT NULL DEFAULT 0 CHECK (attended >= 0),
  PRIMARY KEY (library_id, organiser_library_id, activity_id),
  CHECK (organiser_library_id <> library_id)
);
SELECT eenbieb_enable_tenancy('shared_participation');
