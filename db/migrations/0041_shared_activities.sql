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
