-- Lending (issue #6): loan rules, physical and digital loans, title-level holds, licence pools.
--
-- The invariants that must hold under any concurrency live here, not in application code:
-- * one open loan per copy ............................ unique partial index loan_one_open_per_item
-- * a member never exceeds a plan limit ............... trigger on loan/hold increments a counter row
--                                                        (row lock) and refuses above the plan limit
-- * a pool never lends more than its model allows ...... CHECK on license_pool counters, changed only
--                                                        by the loan trigger (row lock on the pool)
-- * a metered pool never goes below zero ............... CHECK (loans_used <= loans_total)
-- * hold queues stay in first-come order .............. a per-title counter hands out queue_seq under
--                                                        a row lock; UNIQUE (title, kind, queue_seq);
--                                                        positions are ranks over active holds, so
--                                                        they are 1..n by construction

-- Per-library lending settings; a library without a row uses the defaults below.
CREATE TABLE lending_settings (
  library_id              uuid NOT NULL REFERENCES library (id),
  late_fee_cents_per_day  integer NOT NULL DEFAULT 25 CHECK (late_fee_cents_per_day BETWEEN 0 AND 1000),
  max_late_fee_cents      integer NOT NULL DEFAULT 500 CHECK (max_late_fee_cents BETWEEN 0 AND 100000),
  -- unpaid charges above this block borrowing and holds
  block_threshold_cents   integer NOT NULL DEFAULT 1000 CHECK (block_threshold_cents >= 0),
  max_renewals            integer NOT NULL DEFAULT 2 CHECK (max_renewals BETWEEN 0 AND 20),
  hold_pickup_days        integer NOT NULL DEFAULT 7 CHECK (hold_pickup_days BETWEEN 1 AND 30),
  -- members check out physical copies themselves in the portal (scan-and-go)
  portal_self_checkout    boolean NOT NULL DEFAULT false,
  -- a returned loan keeps its link to the member this long (for questions about a return), then
  -- loses it unless the member keeps a reading history
  history_retention_days  integer NOT NULL DEFAULT 30 CHECK (history_retention_days BETWEEN 0 AND 365),
  PRIMARY KEY (library_id)
);
SELECT eenbieb_enable_tenancy('lending_settings');

-- Loan period and renewals per format (and optionally per plan): the most specific row wins,
-- otherwise the plan's loan period and the library's max_renewals apply.
CREATE TABLE loan_rule (
  library_id        uuid NOT NULL REFERENCES library (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  plan_id           uuid,
  format            text,
  loan_period_days  integer NOT NULL CHECK (loan_period_days BETWEEN 1 AND 120),
  max_renewals      integer CHECK (max_renewals BETWEEN 0 AND 20),
  PRIMARY KEY (library_id, id),
  FOREIGN KEY (library_id, plan_id) REFERENCES plan (library_id, id)
);
CREATE UNIQUE INDEX loan_rule_one ON loan_rule (library_id, coalesce(plan_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(format, ''));
SELECT eenbieb_enable_tenancy('loan_rule');

-- Where a copy is going after a check-in at another branch (its home branch or a hold's pickup).
ALTER TABLE item ADD COLUMN transit_to_branch_id uuid;
ALTER TABLE item ADD CONSTRAINT item_transit_branch_fk FOREIGN KEY (library_id, transit_to_branch_id) REFERENCES branch (library_id, id);
-- (copies imported or seeded as in transit may have no recorded destination)
ALTER TABLE item ADD CONSTRAINT item_transit_consistent CHECK (transit_to_branch_id IS NULL OR status = 'in_transit');

-- Digital lending rights (network level: a national pool serves every library; a local pool is
-- owned by one library). The counters are changed only by the loan trigger below.
CREATE TABLE license_pool (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title_id         uuid NOT NULL REFERENCES title (id),
  owner_library_id uuid REFERENCES library (id),
  -- who delivers the content: 'open' (a free public edition, e.g. DBNL) or a content provider
  provider         text NOT NULL CHECK (provider ~ '^[a-z0-9_-]{2,30}$'),
  model            text NOT NULL CHECK (model IN ('one_copy_one_user', 'simultaneous', 'metered_loans', 'metered_time')),
  -- copies that may be out at once (NULL only for simultaneous use)
  concurrency      integer CHECK (concurrency > 0),
  -- metered_loans: loans in total over the life of the licence
  loans_total      integer CHECK (loans_total > 0),
  -- metered_time: the licence ends at this moment
  valid_until      timestamptz,
  loan_period_days integer NOT NULL DEFAULT 21 CHECK (loan_period_days BETWEEN 1 AND 60),
  -- lower first: pools of a title are used in this order (then the one ending soonest)
  priority         smallint NOT NULL DEFAULT 0,
  in_use           integer NOT NULL DEFAULT 0 CHECK (in_use >= 0),
  loans_used       integer NOT NULL DEFAULT 0 CHECK (loans_used >= 0),
  -- licences set aside for a digital hold's 48-hour offer: they count as taken
  offered          integer NOT NULL DEFAULT 0 CHECK (offered >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((model = 'simultaneous') = (concurrency IS NULL)),
  CHECK ((model = 'metered_loans') = (loans_total IS NOT NULL)),
  CHECK ((model = 'metered_time') = (valid_until IS NOT NULL)),
  CHECK (model <> 'one_copy_one_user' OR concurrency >= 1),
  -- never more open loans than the model allows; a metered pool never below zero
  CONSTRAINT license_pool_concurrency CHECK (concurrency IS NULL OR in_use + offered <= concurrency),
  CONSTRAINT license_pool_metered CHECK (loans_total IS NULL OR loans_used + offered <= loans_total)
);
CREATE INDEX license_pool_title_idx ON license_pool (title_id);
ALTER TABLE license_pool ENABLE ROW LEVEL SECURITY;
ALTER TABLE license_pool FORCE ROW LEVEL SECURITY;
-- national pools serve every library; a local pool only its owner
CREATE POLICY visible ON license_pool FOR SELECT
  USING (owner_library_id IS NULL OR owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid);
CREATE POLICY counters ON license_pool FOR UPDATE
  USING (owner_library_id IS NULL OR owner_library_id = nullif(current_setting('app.library_id', true), '')::uuid);
GRANT SELECT ON license_pool TO eenbieb_app;
GRANT UPDATE (in_use, loans_used, offered) ON license_pool TO eenbieb_app;

-- A member's open loans and holds at a library: the row the limit check locks.
CREATE TABLE lending_member (
  library_id      uuid NOT NULL REFERENCES library (id),
  account_id      uuid NOT NULL REFERENCES account (id),
  physical_loans  integer NOT NULL DEFAULT 0 CHECK (physical_loans >= 0),
  digital_loans   integer NOT NULL DEFAULT 0 CHECK (digital_loans >= 0),
  holds           integer NOT NULL DEFAULT 0 CHECK (holds >= 0),
  PRIMARY KEY (library_id, account_id)
);
SELECT eenbieb_enable_tenancy('lending_member');

CREATE TABLE loan (
  library_id        uuid NOT NULL REFERENCES library (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  -- NULL once a returned loan is anonymised (reading history not kept)
  account_id        uuid REFERENCES account (id),
  kind              text NOT NULL CHECK (kind IN ('physical', 'digital')),
  title_id          uuid NOT NULL REFERENCES title (id),
  item_id           uuid,
  pool_id           uuid REFERENCES license_pool (id),
  branch_id         uuid,
  channel           text NOT NULL CHECK (channel IN ('desk', 'kiosk', 'portal', 'api', 'system')),
  checked_out_at    timestamptz NOT NULL DEFAULT now(),
  due_at            timestamptz NOT NULL,
  renewals          smallint NOT NULL DEFAULT 0 CHECK (renewals >= 0),
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'returned', 'lost', 'expired')),
  ended_at          timestamptz,
  return_branch_id  uuid,
  fine_cents        integer NOT NULL DEFAULT 0 CHECK (fine_cents >= 0),
  reminded_at       timestamptz,
  overdue_noticed_at timestamptz,
  anonymised_at     timestamptz,
  PRIMARY KEY (library_id, id),
  FOREIGN KEY (library_id, item_id) REFERENCES item (library_id, id),
  FOREIGN KEY (library_id, branch_id) REFERENCES branch (library_id, id),
  FOREIGN KEY (library_id, return_branch_id) REFERENCES branch (library_id, id),
  CHECK ((kind = 'physical') = (item_id IS NOT NULL)),
  CHECK ((kind = 'digital') = (pool_id IS NOT NULL)),
  CHECK ((status = 'open') = (ended_at IS NULL)),
  CHECK (status <> 'expired' OR kind = 'digital'),
  CHECK (status <> 'lost' OR kind = 'physical'),
  CHECK (status <> 'open' OR account_id IS NOT NULL),
  CHECK (due_at > checked_out_at)
);
-- never two open loans on one copy; one open digital loan per member and title
CREATE UNIQUE INDEX loan_one_open_per_item ON loan (library_id, item_id) WHERE status = 'open' AND kind = 'physical';
CREATE UNIQUE INDEX loan_one_open_digital ON loan (library_id, account_id, title_id) WHERE status = 'open' AND kind = 'digital';
CREATE INDEX loan_account_idx ON loan (library_id, account_id, status);
CREATE INDEX loan_due_idx ON loan (library_id, due_at) WHERE status = 'open';
CREATE INDEX loan_ended_idx ON loan (library_id, ended_at) WHERE account_id IS NOT NULL AND status <> 'open';
SELECT eenbieb_enable_tenancy('loan');

-- The order of a title's queue: a counter per library, title and kind, locked while incremented.
-- Digital queues of national pools are network-wide (one counter per title), so their rows have
-- no library.
CREATE TABLE hold_queue (
  library_id uuid NOT NULL REFERENCES library (id),
  title_id   uuid NOT NULL REFERENCES title (id),
  last_seq   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (library_id, title_id)
);
SELECT eenbieb_enable_tenancy('hold_queue');
CREATE TABLE digital_queue (
  title_id uuid PRIMARY KEY REFERENCES title (id),
  last_seq bigint NOT NULL DEFAULT 0
);
GRANT SELECT, INSERT, UPDATE ON digital_queue TO eenbieb_app;

CREATE TABLE hold (
  library_id        uuid NOT NULL REFERENCES library (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  account_id        uuid NOT NULL REFERENCES account (id),
  kind              text NOT NULL CHECK (kind IN ('physical', 'digital')),
  title_id          uuid NOT NULL REFERENCES title (id),
  pickup_branch_id  uuid,
  queue_seq         bigint NOT NULL CHECK (queue_seq > 0),
  -- waiting → (in_transit →) ready → fulfilled; or cancelled / expired
  status            text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'in_transit', 'ready', 'fulfilled', 'cancelled', 'expired')),
  -- paused: keeps its place in the queue but is passed over until resumed
  frozen            boolean NOT NULL DEFAULT false,
  -- the copy set aside (physical) or the licence offered (digital)
  item_id           uuid,
  pool_id           uuid REFERENCES license_pool (id),
  -- digital: check out automatically when a licence frees up (instead of an offer)
  auto_checkout     boolean NOT NULL DEFAULT false,
  ready_at          timestamptz,
  ready_until       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  ended_at          timestamptz,
  PRIMARY KEY (library_id, id),
  FOREIGN KEY (library_id, pickup_branch_id) REFERENCES branch (library_id, id),
  FOREIGN KEY (library_id, item_id) REFERENCES item (library_id, id),
  CHECK ((kind = 'physical') = (pickup_branch_id IS NOT NULL)),
  CHECK (kind = 'physical' OR item_id IS NULL),
  -- what it holds stays recorded after fulfilment; while in transit or ready it must be there
  CHECK (status NOT IN ('in_transit', 'ready') OR item_id IS NOT NULL OR pool_id IS NOT NULL),
  CHECK ((status = 'ready') = (ready_until IS NOT NULL)),
  CHECK ((status IN ('waiting', 'in_transit', 'ready')) = (ended_at IS NULL)),
  CHECK (NOT frozen OR status = 'waiting')
);
-- one active hold per member and title; first-come order is unique per queue
CREATE UNIQUE INDEX hold_one_active ON hold (library_id, account_id, title_id, kind) WHERE status IN ('waiting', 'in_transit', 'ready');
CREATE UNIQUE INDEX hold_queue_order ON hold (library_id, title_id, kind, queue_seq);
CREATE INDEX hold_title_active_idx ON hold (library_id, title_id, queue_seq) WHERE status IN ('waiting', 'in_transit', 'ready');
CREATE INDEX hold_account_idx ON hold (library_id, account_id, status);
CREATE INDEX hold_ready_idx ON hold (library_id, ready_until) WHERE status = 'ready';
-- one copy serves one hold at a time
CREATE UNIQUE INDEX hold_one_per_item ON hold (library_id, item_id) WHERE status IN ('in_transit', 'ready');
SELECT eenbieb_enable_tenancy('hold');

-- Access grants for the content provider: which loan may read what until when. The token itself
-- is signed (HMAC) and never stored; the grant row lets a return revoke it early.
CREATE TABLE access_grant (
  library_id  uuid NOT NULL REFERENCES library (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  loan_id     uuid NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, id),
  FOREIGN KEY (library_id, loan_id) REFERENCES loan (library_id, id)
);
SELECT eenbieb_enable_tenancy('access_grant');

-- The secret that signs access grants (network level, generated on first use like the OIDC keys).
CREATE TABLE content_key (
  kid        text PRIMARY KEY,
  secret     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON content_key TO eenbieb_app;

-- Plan limits of a member at a library (NULL: no active lending membership there).
CREATE FUNCTION eenbieb_member_limits(lib uuid, acc uuid, OUT max_physical integer, OUT max_digital integer, OUT max_holds integer)
LANGUAGE sql STABLE AS $$
  SELECT p.max_physical_loans, p.max_digital_loans, p.max_holds
  FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
  WHERE m.library_id = lib AND m.account_id = acc AND m.status = 'active' AND p.kind = 'lending'
$$;

-- Keeps the member counters and the pool counters in step with loans, and refuses a loan above
-- the member's limit. The counter row is locked by the upsert, so parallel check-outs of one member
-- are serialised here and the limit holds whatever the application does.
CREATE FUNCTION eenbieb_loan_counters() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  max_n integer;
  lim record;
  p record;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.status = 'open' THEN
    INSERT INTO lending_member AS m (library_id, account_id, physical_loans, digital_loans)
      VALUES (NEW.library_id, NEW.account_id, (NEW.kind = 'physical')::int, (NEW.kind = 'digital')::int)
      ON CONFLICT (library_id, account_id) DO UPDATE
      SET physical_loans = m.physical_loans + (NEW.kind = 'physical')::int,
          digital_loans = m.digital_loans + (NEW.kind = 'digital')::int
      RETURNING CASE WHEN NEW.kind = 'physical' THEN m.physical_loans ELSE m.digital_loans END INTO n;
    SELECT * INTO lim FROM eenbieb_member_limits(NEW.library_id, NEW.account_id);
    -- (PL/pgSQL reads an IF condition up to the first THEN, so no CASE inside it)
    max_n := CASE WHEN NEW.kind = 'physical' THEN lim.max_physical ELSE lim.max_digital END;
    IF max_n IS NULL OR n > max_n THEN
      RAISE EXCEPTION 'loan limit reached' USING ERRCODE = 'check_violation',
        CONSTRAINT = CASE WHEN NEW.kind = 'physical' THEN 'lending_member_loan_limit' ELSE 'lending_member_digital_limit' END;
    END IF;
    IF NEW.kind = 'digital' THEN
      UPDATE license_pool SET in_use = in_use + 1, loans_used = loans_used + 1 WHERE id = NEW.pool_id
        RETURNING * INTO p;
      IF p.model = 'metered_time' AND p.valid_until <= now() THEN
        RAISE EXCEPTION 'licence ended' USING ERRCODE = 'check_violation', CONSTRAINT = 'license_pool_metered';
      END IF;
    END IF;
  ELSIF TG_OP = 'UPDATE' AND OLD.status = 'open' AND NEW.status <> 'open' THEN
    UPDATE lending_member SET physical_loans = physical_loans - (NEW.kind = 'physical')::int,
                              digital_loans = digital_loans - (NEW.kind = 'digital')::int
      WHERE library_id = NEW.library_id AND account_id = OLD.account_id;
    IF NEW.kind = 'digital' THEN
      UPDATE license_pool SET in_use = in_use - 1 WHERE id = NEW.pool_id;
    END IF;
  ELSIF TG_OP = 'UPDATE' AND OLD.status <> 'open' AND NEW.status = 'open' THEN
    RAISE EXCEPTION 'a closed loan cannot be reopened' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER loan_counters AFTER INSERT OR UPDATE OF status ON loan FOR EACH ROW EXECUTE FUNCTION eenbieb_loan_counters();

-- The same for holds: active holds count against the plan's hold limit.
CREATE FUNCTION eenbieb_hold_counters() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  lim record;
  was_active boolean;
  is_active boolean;
BEGIN
  was_active := TG_OP = 'UPDATE' AND OLD.status IN ('waiting', 'in_transit', 'ready');
  is_active := NEW.status IN ('waiting', 'in_transit', 'ready');
  IF is_active AND NOT was_active THEN
    INSERT INTO lending_member AS m (library_id, account_id, holds) VALUES (NEW.library_id, NEW.account_id, 1)
      ON CONFLICT (library_id, account_id) DO UPDATE SET holds = m.holds + 1
      RETURNING m.holds INTO n;
    SELECT * INTO lim FROM eenbieb_member_limits(NEW.library_id, NEW.account_id);
    IF lim.max_holds IS NULL OR n > lim.max_holds THEN
      RAISE EXCEPTION 'hold limit reached' USING ERRCODE = 'check_violation', CONSTRAINT = 'lending_member_hold_limit';
    END IF;
  ELSIF was_active AND NOT is_active THEN
    UPDATE lending_member SET holds = holds - 1 WHERE library_id = NEW.library_id AND account_id = NEW.account_id;
  END IF;
  -- a digital offer sets a licence aside until it is taken, declined or expires
  IF NEW.kind = 'digital' THEN
    IF NEW.status = 'ready' AND (TG_OP = 'INSERT' OR OLD.status <> 'ready') THEN
      UPDATE license_pool SET offered = offered + 1 WHERE id = NEW.pool_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.status = 'ready' AND NEW.status <> 'ready' THEN
      UPDATE license_pool SET offered = offered - 1 WHERE id = OLD.pool_id;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER hold_counters AFTER INSERT OR UPDATE OF status ON hold FOR EACH ROW EXECUTE FUNCTION eenbieb_hold_counters();

-- Network-wide digital queues: a member's hold lives at their home library (under its RLS), but
-- the queue for a national pool spans every library. These two functions see across libraries and
-- return only what the queue needs: a count, or where the next holder's hold is.
CREATE FUNCTION eenbieb_digital_queue_ahead(t uuid, seq bigint) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT count(*)::int FROM hold
  WHERE title_id = t AND kind = 'digital' AND status IN ('waiting', 'ready') AND queue_seq < seq
$$;
CREATE FUNCTION eenbieb_digital_queue_length(t uuid) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT count(*)::int FROM hold WHERE title_id = t AND kind = 'digital' AND status IN ('waiting', 'ready')
$$;
CREATE FUNCTION eenbieb_digital_queue_next(t uuid, OUT library_id uuid, OUT hold_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT h.library_id, h.id FROM hold h
  WHERE h.title_id = t AND h.kind = 'digital' AND h.status = 'waiting' AND NOT h.frozen
  ORDER BY h.queue_seq LIMIT 1
$$;
REVOKE ALL ON FUNCTION eenbieb_digital_queue_ahead(uuid, bigint), eenbieb_digital_queue_length(uuid), eenbieb_digital_queue_next(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eenbieb_digital_queue_ahead(uuid, bigint), eenbieb_digital_queue_length(uuid), eenbieb_digital_queue_next(uuid) TO eenbieb_app;

-- Desk and kiosk look up members by card; the due-date and hold jobs scan by time.
CREATE INDEX IF NOT EXISTS membership_card_idx ON membership (library_id, card_number);
