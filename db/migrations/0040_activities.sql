-- Activities, courses and services (issue 5): the offer, its sessions and registrations.
--
-- Seats are counted on the session row (activity_session). A trigger keeps its counters equal to
-- the registrations, and a check constraint refuses a session with more seats taken than it has:
-- even code that forgot to lock cannot overbook. The service still locks the session row
-- (SELECT … FOR UPDATE) before it decides between "confirmed" and "waitlisted", so concurrent
-- registrations queue on that one row and waitlist positions stay contiguous.
--
-- A course is booked once for all its meetings: its registrations (and seats) are counted on its
-- first session; attendance per meeting is in activity_attendance.

CREATE TABLE activity (
  library_id            uuid NOT NULL REFERENCES library (id),
  id                    uuid NOT NULL DEFAULT gen_random_uuid(),
  kind                  text NOT NULL CHECK (kind IN ('event', 'course', 'service')),
  title                 text NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
  description           text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  -- age groups: children 0–12, youth 12–18, adults, seniors 65+, families
  audience              text[] NOT NULL DEFAULT '{}'
                        CHECK (audience <@ ARRAY['children', 'youth', 'adults', 'seniors', 'families']::text[]),
  language              text NOT NULL DEFAULT 'nl' CHECK (language ~ '^[a-z]{2}$'),
  branch_id             uuid,
  room                  text CHECK (length(room) <= 120),
  -- free text for a place that is not a branch (a partner's venue); imported agendas use it
  location              text CHECK (length(location) <= 300),
  online                boolean NOT NULL DEFAULT false,
  -- the joining link: shown only to people with a registration
  online_url            text CHECK (online_url ~ '^https://' AND length(online_url) <= 500),
  partner               text CHECK (length(partner) <= 200),
  price_cents           integer NOT NULL DEFAULT 0 CHECK (price_cents BETWEEN 0 AND 1000000),
  registration_required boolean NOT NULL DEFAULT true,
  -- registration and cancellation close this many minutes before a session starts
  cutoff_minutes        integer NOT NULL DEFAULT 0 CHECK (cutoff_minutes BETWEEN 0 AND 43200),
  -- the library law (Wsob art. 5): at least one of the five statutory functions
  statutory_functions   text[] NOT NULL
                        CHECK (cardinality(statutory_functions) >= 1 AND statutory_functions <@ ARRAY[
                          'knowledge_information', 'development_education', 'reading_literature',
                          'meeting_debate', 'art_culture']::text[]),
  themes                text[] NOT NULL DEFAULT '{}',
  -- titles of the shared catalogue (network level, catalogue module): no foreign key across modules
  related_title_ids     uuid[] NOT NULL DEFAULT '{}',
  status                text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
  -- an online activity that every library of the network shows and accepts registrations for
  shared_network        boolean NOT NULL DEFAULT false,
  -- the UID of the iCalendar event this activity was imported from
  import_uid            text CHECK (length(import_uid) <= 500),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, id),
  FOREIGN KEY (library_id, branch_id) REFERENCES branch (library_id, id),
  CHECK (online OR online_url IS NULL),
  CHECK (NOT shared_network OR online)
);
CREATE UNIQUE INDEX activity_import_uid ON activity (library_id, import_uid) WHERE import_uid IS NOT NULL;
CREATE INDEX activity_functions_idx ON activity USING gin (statutory_functions);
SELECT eenbieb_enable_tenancy('activity');

CREATE TABLE activity_session (
  library_id     uuid NOT NULL REFERENCES library (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  activity_id    uuid NOT NULL,
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  -- seats; NULL = no limit
  capacity       integer CHECK (capacity >= 0),
  status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
  -- kept by the registration trigger; never written by the application. They survive erasure of
  -- personal data (registrations are anonymised, never deleted), so reports stay right.
  seats_taken     integer NOT NULL DEFAULT 0 CHECK (seats_taken >= 0),
  waitlisted      integer NOT NULL DEFAULT 0 CHECK (waitlisted >= 0),
  attended        integer NOT NULL DEFAULT 0 CHECK (attended >= 0),
  cancelled       integer NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
  registered_total integer NOT NULL DEFAULT 0 CHECK (registered_total >= 0),
  reminded_at    timestamptz,
  PRIMARY KEY (library_id, id),
  UNIQUE (library_id, activity_id, id),
  FOREIGN KEY (library_id, activity_id) REFERENCES activity (library_id, id) ON DELETE CASCADE,
  CHECK (ends_at > starts_at),
  -- never overbooked
  CHECK (capacity IS NULL OR seats_taken <= capacity)
);
CREATE INDEX activity_session_starts_idx ON activity_session (library_id, starts_at);
CREATE INDEX activity_session_activity_idx ON activity_session (library_id, activity_id, starts_at);
SELECT eenbieb_enable_tenancy('activity_session');

CREATE TABLE registration (
  library_id        uuid NOT NULL REFERENCES library (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  activity_id       uuid NOT NULL,
  session_id        uuid NOT NULL,
  -- NULL once the person's data is erased: the row stays, anonymised, for the counts
  account_id        uuid REFERENCES account (id),
  -- the participant's home library, for "your members took part" counts of shared activities
  home_library_id   uuid REFERENCES library (id),
  status            text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'attended')),
  waitlist_position integer CHECK (waitlist_position >= 1),
  -- a guest (e-mail only) consented to processing for this registration at this moment
  guest_consent_at  timestamptz,
  -- secret in the confirmation mail: QR code at the door, cancel link for guests
  code              text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{16,64}$'),
  created_at        timestamptz NOT NULL DEFAULT now(),
  promoted_at       timestamptz,
  cancelled_at      timestamptz,
  checked_in_at     timestamptz,
  PRIMARY KEY (library_id, id),
  UNIQUE (library_id, code),
  FOREIGN KEY (library_id, activity_id) REFERENCES activity (library_id, id),
  -- the session belongs to the activity
  FOREIGN KEY (library_id, activity_id, session_id) REFERENCES activity_session (library_id, activity_id, id),
  CHECK ((status = 'waitlisted') = (waitlist_position IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  -- one position per place in the queue; deferred so a queue can move up by one in one statement
  CONSTRAINT registration_waitlist_position_unique UNIQUE (library_id, session_id, waitlist_position) DEFERRABLE INITIALLY DEFERRED
);
-- registering twice is impossible: one live registration per person and session
CREATE UNIQUE INDEX registration_one_live ON registration (library_id, session_id, account_id)
  WHERE status <> 'cancelled' AND account_id IS NOT NULL;
CREATE INDEX registration_account_idx ON registration (library_id, account_id);
SELECT eenbieb_enable_tenancy('registration');
-- rows are anonymised, never deleted, so the per-session counts remain explainable
REVOKE DELETE ON registration FROM eenbieb_app;

-- Attendance per meeting (a course has several), recorded by check-in at the door.
CREATE TABLE activity_attendance (
  library_id      uuid NOT NULL REFERENCES library (id),
  registration_id uuid NOT NULL,
  session_id      uuid NOT NULL,
  checked_in_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, registration_id, session_id),
  FOREIGN KEY (library_id, registration_id) REFERENCES registration (library_id, id),
  FOREIGN KEY (library_id, session_id) REFERENCES activity_session (library_id, id)
);
SELECT eenbieb_enable_tenancy('activity_attendance');

-- The counters follow every status change of a registration.
CREATE FUNCTION eenbieb_registration_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  d_seats integer := 0;
  d_wait integer := 0;
  d_cancel integer := 0;
  d_total integer := 0;
BEGIN
  IF TG_OP = 'INSERT' THEN
    d_total := 1;
  ELSIF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    d_seats := d_seats - (CASE WHEN OLD.status IN ('confirmed', 'attended') THEN 1 ELSE 0 END);
    d_wait := d_wait - (CASE WHEN OLD.status = 'waitlisted' THEN 1 ELSE 0 END);
    d_cancel := d_cancel - (CASE WHEN OLD.status = 'cancelled' THEN 1 ELSE 0 END);
  END IF;
  d_seats := d_seats + (CASE WHEN NEW.status IN ('confirmed', 'attended') THEN 1 ELSE 0 END);
  d_wait := d_wait + (CASE WHEN NEW.status = 'waitlisted' THEN 1 ELSE 0 END);
  d_cancel := d_cancel + (CASE WHEN NEW.status = 'cancelled' THEN 1 ELSE 0 END);
  UPDATE activity_session
     SET seats_taken = seats_taken + d_seats,
         waitlisted = waitlisted + d_wait,
         cancelled = cancelled + d_cancel,
         registered_total = registered_total + d_total
   WHERE library_id = NEW.library_id AND id = NEW.session_id;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER registration_counts AFTER INSERT OR UPDATE OF status ON registration
  FOR EACH ROW EXECUTE FUNCTION eenbieb_registration_counts();

CREATE FUNCTION eenbieb_attendance_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE activity_session SET attended = attended + 1
   WHERE library_id = NEW.library_id AND id = NEW.session_id;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER attendance_counts AFTER INSERT ON activity_attendance
  FOR EACH ROW EXECUTE FUNCTION eenbieb_attendance_counts();
REVOKE DELETE ON activity_attendance FROM eenbieb_app;
