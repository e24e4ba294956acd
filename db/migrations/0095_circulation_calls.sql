-- Circulation in one round trip (issue #6, "Performance and reliability").
--
-- A check-out, a check-in and the routing of a copy are each ONE call of a PL/pgSQL function that
-- sets the tenant, checks the desk role, locks, evaluates the loan rules and writes. The functions
-- are SECURITY INVOKER and switch to the application role themselves (transaction-local, like
-- inTenant), so row-level security, the limit triggers and the unique indexes of 0070 still decide
-- what may happen; the functions only save the round trips (about 20 statements per check-out
-- before, each with its own parse and plan, where PL/pgSQL keeps its plans).
--
-- A refusal is an exception with MESSAGE = the error code, HINT = 'eenbieb_refusal' and DETAIL =
-- its arguments as JSON; the TypeScript service turns it into the coded error (lending.repository).

-- 0070's plan limits, in PL/pgSQL: the loan and hold triggers call this on every loan and hold,
-- and a LANGUAGE sql function that cannot be inlined (it is called for its OUT row) is planned
-- again on every call, where PL/pgSQL keeps its plan for the session.
CREATE OR REPLACE FUNCTION eenbieb_member_limits(lib uuid, acc uuid, OUT max_physical integer, OUT max_digital integer, OUT max_holds integer)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  SELECT p.max_physical_loans, p.max_digital_loans, p.max_holds INTO max_physical, max_digital, max_holds
  FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
  WHERE m.library_id = lib AND m.account_id = acc AND m.status = 'active' AND p.kind = 'lending';
END
$$;

-- The application role with this library as tenant, for the rest of the (statement's) transaction.
CREATE FUNCTION eenbieb_enter_tenant(lib uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('role', 'eenbieb_app', true), set_config('app.library_id', lib::text, true);
END
$$;

CREATE FUNCTION eenbieb_refuse(code text, detail jsonb DEFAULT '{}'::jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = code, HINT = 'eenbieb_refusal', DETAIL = detail::text;
END
$$;

-- Desk staff of this library (circulation roles: desk.service.ts DESK_ROLES).
CREATE FUNCTION eenbieb_require_desk(lib uuid, actor uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM staff_role WHERE library_id = lib AND account_id = actor AND role IN ('desk', 'librarian', 'library_admin');
  IF NOT FOUND THEN PERFORM eenbieb_refuse('FORBIDDEN'); END IF;
END
$$;

-- A branch of the library by id or by slug (NULL when neither is given).
CREATE FUNCTION eenbieb_branch_of(lib uuid, bid uuid, bslug text) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE found_id uuid;
BEGIN
  IF bslug IS NOT NULL THEN
    SELECT id INTO found_id FROM branch WHERE library_id = lib AND slug = bslug;
  ELSIF bid IS NOT NULL THEN
    SELECT id INTO found_id FROM branch WHERE library_id = lib AND id = bid;
  ELSE
    RETURN NULL;
  END IF;
  IF found_id IS NULL THEN PERFORM eenbieb_refuse('LENDING_BRANCH_UNKNOWN'); END IF;
  RETURN found_id;
END
$$;

-- loan-rules.ts dueDate: the day `days` × 24 h later, at 21:59 UTC (23:59 or 22:59 in Amsterdam).
CREATE FUNCTION eenbieb_due_date(from_at timestamptz, days integer) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT (((from_at + days * interval '24 hours') AT TIME ZONE 'UTC')::date + time '21:59') AT TIME ZONE 'UTC'
$$;

-- The borrower of a check-out (card or account): an active lending membership in good standing
-- (circulation.service.ts assertMayBorrow, loan-rules.ts blockReasons), else a refusal.
CREATE FUNCTION eenbieb_lending_borrower(lib uuid, card text, acc uuid, at timestamptz,
  OUT account_id uuid, OUT plan_id uuid, OUT max_physical integer, OUT max_digital integer, OUT max_holds integer, OUT loan_period_days integer)
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  reasons text[] := '{}';
BEGIN
  IF card IS NOT NULL THEN
    SELECT m.account_id, m.valid_until, p.id AS plan_id, p.kind, p.max_physical_loans, p.max_digital_loans, p.max_holds, p.loan_period_days,
           (SELECT coalesce(sum(c.amount_cents), 0)::int FROM charge c WHERE c.library_id = m.library_id AND c.account_id = m.account_id AND c.paid_at IS NULL) AS owed,
           coalesce((SELECT s.block_threshold_cents FROM lending_settings s WHERE s.library_id = m.library_id), 1000) AS threshold
    INTO r FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
    WHERE m.library_id = lib AND m.status = 'active' AND m.card_number = card LIMIT 1;
  ELSE
    SELECT m.account_id, m.valid_until, p.id AS plan_id, p.kind, p.max_physical_loans, p.max_digital_loans, p.max_holds, p.loan_period_days,
           (SELECT coalesce(sum(c.amount_cents), 0)::int FROM charge c WHERE c.library_id = m.library_id AND c.account_id = m.account_id AND c.paid_at IS NULL) AS owed,
           coalesce((SELECT s.block_threshold_cents FROM lending_settings s WHERE s.library_id = m.library_id), 1000) AS threshold
    INTO r FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
    WHERE m.library_id = lib AND m.status = 'active' AND m.account_id = acc LIMIT 1;
  END IF;
  IF r.account_id IS NULL THEN PERFORM eenbieb_refuse('LENDING_MEMBER_NOT_FOUND'); END IF;
  IF r.kind <> 'lending' THEN PERFORM eenbieb_refuse('LENDING_NO_LENDING_PLAN'); END IF;
  IF r.owed > r.threshold THEN reasons := reasons || 'fees'::text; END IF;
  IF r.valid_until IS NOT NULL AND ((r.valid_until + time '23:59:59') AT TIME ZONE 'UTC') < at - interval '24 hours' THEN
    reasons := reasons || 'expired'::text;
  END IF;
  IF cardinality(reasons) > 0 THEN
    PERFORM eenbieb_refuse('LENDING_MEMBER_BLOCKED', jsonb_build_object('reasons', to_jsonb(reasons), 'owedCents', r.owed));
  END IF;
  account_id := r.account_id; plan_id := r.plan_id; max_physical := r.max_physical_loans; max_digital := r.max_digital_loans;
  max_holds := r.max_holds; loan_period_days := r.loan_period_days;
END
$$;

-- Check-out of a copy (circulation.service.ts checkOut). `desk`: the acting account must be desk
-- staff here (NULL: the caller has checked who acts, e.g. a kiosk or the member's self-service).
CREATE FUNCTION eenbieb_check_out(lib uuid, desk uuid, card text, acc uuid, code text, bid uuid, bslug text, chan text, at timestamptz)
RETURNS TABLE (loan_id uuid, title_id uuid, title text, barcode text, due_at timestamptz, account_id uuid, fulfilled_hold_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
  br uuid;
  b record;
  it record;
  h record;
  days integer;
  due timestamptz;
  lid uuid;
  fh uuid;
  cname text;
BEGIN
  PERFORM eenbieb_enter_tenant(lib);
  IF desk IS NOT NULL THEN PERFORM eenbieb_require_desk(lib, desk); END IF;
  br := eenbieb_branch_of(lib, bid, bslug);
  SELECT * INTO b FROM eenbieb_lending_borrower(lib, card, acc, at);
  SELECT i.id, i.title_id, i.branch_id, i.status, t.title, t.format, i.barcode INTO it
    FROM item i JOIN title t ON t.id = i.title_id
    WHERE i.library_id = lib AND i.barcode = code FOR UPDATE OF i;
  IF it.id IS NULL THEN PERFORM eenbieb_refuse('LENDING_ITEM_UNKNOWN'); END IF;
  IF it.status = 'on_loan' THEN PERFORM eenbieb_refuse('LENDING_ITEM_ALREADY_ON_LOAN'); END IF;
  IF it.status IN ('on_hold_shelf', 'in_transit') THEN
    -- a copy set aside for a hold goes only to that member
    SELECT hh.id, hh.account_id INTO h FROM hold hh
      WHERE hh.library_id = lib AND hh.item_id = it.id AND hh.status IN ('in_transit', 'ready') FOR UPDATE;
    IF h.id IS NOT NULL AND h.account_id <> b.account_id THEN PERFORM eenbieb_refuse('LENDING_ITEM_HELD_FOR_OTHER'); END IF;
    fh := h.id;
  ELSIF it.status <> 'available' THEN
    PERFORM eenbieb_refuse('LENDING_ITEM_NOT_LOANABLE', jsonb_build_object('status', it.status));
  END IF;
  -- the most specific loan rule (loan-rules.ts pickRule): plan and format, format, plan, none
  SELECT r.loan_period_days INTO days FROM loan_rule r
    WHERE r.library_id = lib AND (r.plan_id IS NULL OR r.plan_id = b.plan_id) AND (r.format IS NULL OR r.format = it.format)
    ORDER BY (r.format IS NOT NULL)::int * 2 + (r.plan_id IS NOT NULL)::int DESC LIMIT 1;
  due := eenbieb_due_date(at, coalesce(days, b.loan_period_days));
  -- the loan first: the trigger checks the member's limit and the unique index the copy
  BEGIN
    INSERT INTO loan (library_id, account_id, kind, title_id, item_id, branch_id, channel, checked_out_at, due_at)
      VALUES (lib, b.account_id, 'physical', it.title_id, it.id, coalesce(br, it.branch_id), chan, at, due)
      RETURNING id INTO lid;
  EXCEPTION WHEN check_violation OR unique_violation THEN
    GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
    IF cname = 'lending_member_loan_limit' THEN PERFORM eenbieb_refuse('LENDING_LOAN_LIMIT_REACHED', jsonb_build_object('limit', b.max_physical)); END IF;
    IF cname = 'loan_one_open_per_item' THEN PERFORM eenbieb_refuse('LENDING_ITEM_ALREADY_ON_LOAN'); END IF;
    RAISE;
  END;
  UPDATE item SET status = 'on_loan', transit_to_branch_id = NULL WHERE library_id = lib AND id = it.id;
  -- taking the title fulfils this member's own hold on it (the copy set aside, or a waiting one)
  IF fh IS NULL THEN
    SELECT hh.id INTO fh FROM hold hh WHERE hh.library_id = lib AND hh.account_id = b.account_id AND hh.title_id = it.title_id
      AND hh.kind = 'physical' AND hh.status = 'waiting' FOR UPDATE;
  END IF;
  IF fh IS NOT NULL THEN
    UPDATE hold SET status = 'fulfilled', ended_at = at, ready_until = NULL, frozen = false WHERE library_id = lib AND id = fh;
  END IF;
  RETURN QUERY SELECT lid, it.title_id, it.title, it.barcode, due, b.account_id, fh;
END
$$;

-- Where a free copy at a branch goes (circulation.service.ts routeCopy): to the hold it is set
-- aside for, else the first waiting hold of its title that is not paused, else home. A hold that
-- becomes ready needs a mail in the same transaction (rendered in TypeScript): with notice_ok
-- false the function refuses with LENDING_NOTICE_FOLLOWS instead, and the caller runs it again
-- in a transaction that queues the mail.
CREATE FUNCTION eenbieb_route_copy(lib uuid, item_id uuid, at_branch uuid, at timestamptz, notice_ok boolean,
  OUT routing text, OUT destination_branch_id uuid, OUT hold_id uuid, OUT notice_account_id uuid, OUT notice_branch text, OUT notice_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  it record;
  h record;
  pickup_days integer;
BEGIN
  SELECT i.id, i.title_id, i.branch_id INTO it FROM item i WHERE i.library_id = lib AND i.id = eenbieb_route_copy.item_id;
  SELECT hh.id, hh.account_id, hh.pickup_branch_id, hh.status INTO h FROM hold hh
    WHERE hh.library_id = lib AND hh.item_id = it.id AND hh.status IN ('in_transit', 'ready') FOR UPDATE;
  IF h.id IS NULL THEN
    SELECT hh.id, hh.account_id, hh.pickup_branch_id, hh.status INTO h FROM hold hh
      WHERE hh.library_id = lib AND hh.title_id = it.title_id AND hh.kind = 'physical' AND hh.status = 'waiting' AND NOT hh.frozen
      ORDER BY hh.queue_seq LIMIT 1 FOR UPDATE;
  END IF;
  IF h.id IS NOT NULL THEN
    hold_id := h.id;
    destination_branch_id := h.pickup_branch_id;
    IF h.pickup_branch_id = at_branch THEN
      IF h.status <> 'ready' THEN
        IF NOT notice_ok THEN PERFORM eenbieb_refuse('LENDING_NOTICE_FOLLOWS'); END IF;
        pickup_days := coalesce((SELECT s.hold_pickup_days FROM lending_settings s WHERE s.library_id = lib), 7);
        notice_until := eenbieb_due_date(at, pickup_days);
        UPDATE hold SET status = 'ready', item_id = it.id, ready_at = at, ready_until = notice_until WHERE library_id = lib AND id = h.id;
        notice_account_id := h.account_id;
        SELECT b.name INTO notice_branch FROM branch b WHERE b.library_id = lib AND b.id = h.pickup_branch_id;
      END IF;
      UPDATE item SET status = 'on_hold_shelf', transit_to_branch_id = NULL WHERE library_id = lib AND id = it.id;
      routing := 'hold_shelf';
      RETURN;
    END IF;
    -- a waiting hold gets the copy on its way; a copy taken off the hold shelf and scanned at
    -- another branch is on its way again, so its hold is no longer ready
    IF h.status <> 'in_transit' THEN
      UPDATE hold SET status = 'in_transit', item_id = it.id, ready_at = NULL, ready_until = NULL WHERE library_id = lib AND id = h.id;
    END IF;
    UPDATE item SET status = 'in_transit', transit_to_branch_id = h.pickup_branch_id WHERE library_id = lib AND id = it.id;
    routing := 'transit';
    RETURN;
  END IF;
  IF it.branch_id = at_branch THEN
    UPDATE item SET status = 'available', transit_to_branch_id = NULL WHERE library_id = lib AND id = it.id;
    routing := 'shelf';
  ELSE
    UPDATE item SET status = 'in_transit', transit_to_branch_id = it.branch_id WHERE library_id = lib AND id = it.id;
    routing := 'transit';
  END IF;
  destination_branch_id := coalesce(CASE WHEN routing = 'shelf' THEN at_branch END, it.branch_id);
END
$$;

-- Check-in of a copy at a branch (circulation.service.ts checkIn): ends its open loan with a late
-- fee (none for youth plans), then routes the copy.
CREATE FUNCTION eenbieb_check_in(lib uuid, desk uuid, code text, bid uuid, bslug text, at timestamptz, notice_ok boolean)
RETURNS TABLE (item_id uuid, title_id uuid, title text, barcode text, loan_id uuid, account_id uuid, overdue_days integer, fine_cents integer,
  routing text, destination_branch_id uuid, destination_slug text, hold_id uuid, notice_account_id uuid, notice_branch text, notice_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  br uuid;
  it record;
  l record;
  s record;
  youth boolean;
  overdue integer := 0;
  fine integer := 0;
  rt record;
BEGIN
  PERFORM eenbieb_enter_tenant(lib);
  IF desk IS NOT NULL THEN PERFORM eenbieb_require_desk(lib, desk); END IF;
  br := eenbieb_branch_of(lib, bid, bslug);
  IF br IS NULL THEN PERFORM eenbieb_refuse('LENDING_BRANCH_UNKNOWN'); END IF;
  SELECT i.id, i.title_id, i.status, t.title, i.barcode INTO it
    FROM item i JOIN title t ON t.id = i.title_id
    WHERE i.library_id = lib AND i.barcode = code FOR UPDATE OF i;
  IF it.id IS NULL THEN PERFORM eenbieb_refuse('LENDING_ITEM_UNKNOWN'); END IF;
  IF it.status = 'withdrawn' THEN PERFORM eenbieb_refuse('LENDING_ITEM_NOT_LOANABLE', jsonb_build_object('status', it.status)); END IF;
  -- (kind = 'physical' lets PostgreSQL use the partial index loan_one_open_per_item)
  SELECT ll.id, ll.account_id, ll.due_at INTO l FROM loan ll
    WHERE ll.library_id = lib AND ll.item_id = it.id AND ll.status = 'open' AND ll.kind = 'physical' FOR UPDATE;
  IF l.id IS NOT NULL THEN
    IF at > l.due_at THEN overdue := ceil(extract(epoch FROM at - l.due_at) / 86400)::int; END IF;
    IF overdue > 0 THEN
      SELECT * INTO s FROM lending_settings WHERE library_id = lib;
      SELECT p.max_age IS NOT NULL AND p.max_age < 18 INTO youth FROM membership m JOIN plan p ON p.library_id = m.library_id AND p.id = m.plan_id
        WHERE m.library_id = lib AND m.account_id = l.account_id ORDER BY (m.status = 'active') DESC LIMIT 1;
      IF NOT coalesce(youth, false) THEN
        fine := least(overdue * coalesce(s.late_fee_cents_per_day, 25), coalesce(s.max_late_fee_cents, 500));
      END IF;
    END IF;
    UPDATE loan SET status = 'returned', ended_at = at, return_branch_id = br, fine_cents = fine WHERE library_id = lib AND id = l.id;
    IF fine > 0 THEN
      INSERT INTO charge (library_id, account_id, kind, amount_cents, description)
        VALUES (lib, l.account_id, 'late_fee', fine, format('Te laat: %s (%s %s)', it.title, overdue, CASE WHEN overdue = 1 THEN 'dag' ELSE 'dagen' END));
    END IF;
  END IF;
  SELECT * INTO rt FROM eenbieb_route_copy(lib, it.id, br, at, notice_ok);
  RETURN QUERY SELECT it.id, it.title_id, it.title, it.barcode, l.id, l.account_id, overdue, fine,
    rt.routing, rt.destination_branch_id, (SELECT b.slug FROM branch b WHERE b.library_id = lib AND b.id = rt.destination_branch_id),
    rt.hold_id, rt.notice_account_id, rt.notice_branch, rt.notice_until;
END
$$;

-- A session by the hash of its cookie, with its account's home library and network roles, in one
-- statement (it was five: a transaction, the tenant, the session, the roles). last_seen_at is
-- written at most once a minute. SECURITY DEFINER like the queue functions of 0070: it reveals
-- only the session whose token the caller holds.
CREATE FUNCTION eenbieb_session_load(token_hash text, OUT account_id uuid, OUT home_library_id uuid, OUT csrf_secret text, OUT mfa boolean, OUT network jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  r record;
BEGIN
  SELECT s.account_id, s.csrf_secret, s.mfa_at, s.expires_at, s.last_seen_at, a.home_library_id, a.status INTO r
    FROM session s JOIN account a ON a.id = s.account_id WHERE s.id_hash = token_hash;
  IF r.account_id IS NULL OR r.expires_at < now() OR r.status = 'erased' THEN RETURN; END IF;
  IF r.last_seen_at < now() - interval '1 minute' THEN
    UPDATE session SET last_seen_at = now() WHERE id_hash = token_hash;
  END IF;
  account_id := r.account_id; home_library_id := r.home_library_id; csrf_secret := r.csrf_secret; mfa := r.mfa_at IS NOT NULL;
  network := coalesce((SELECT jsonb_agg(jsonb_build_object('role', n.role, 'municipalityCode', n.municipality_code) ORDER BY n.role)
    FROM network_role n WHERE n.account_id = r.account_id), '[]'::jsonb);
END
$$;
REVOKE ALL ON FUNCTION eenbieb_session_load(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eenbieb_session_load(text) TO eenbieb_app;
