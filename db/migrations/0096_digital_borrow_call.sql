-- Borrowing a digital title in one round trip (issue #6, the 5,000-borrower storm).
--
-- Placing a hold takes the title's queue counter row lock, and a row lock is held until commit, so
-- holds on one title are placed one after another. Before, that section spanned several round
-- trips between the app and the database (and was committed with synchronous_commit = off to keep
-- the WAL flush out of it, so an acknowledged hold could be lost in a server crash). Now the whole
-- borrow is one function call: the section is the few statements after the counter's upsert plus
-- the commit's own flush, on the server, and every hold commits synchronously again.
--
-- The position at placement was a count of the active holds ahead (O(queue) per hold, so O(n²) for
-- a storm, inside the serial section). The counter row now also counts the active (waiting or
-- ready) digital holds of its title, kept by the hold trigger: the newest hold's position is that
-- count, read under the counter lock that orders the queue.
ALTER TABLE digital_queue ADD COLUMN active integer NOT NULL DEFAULT 0 CHECK (active >= 0);
INSERT INTO digital_queue AS q (title_id, last_seq, active)
  SELECT title_id, max(queue_seq), count(*) FILTER (WHERE status IN ('waiting', 'ready')) FROM hold WHERE kind = 'digital' GROUP BY title_id
  ON CONFLICT (title_id) DO UPDATE SET active = excluded.active, last_seq = greatest(q.last_seq, excluded.last_seq);

-- The network-wide queue of a title in order (eenbieb_digital_queue_next/_ahead): without it, each
-- borrower's "is anyone waiting?" read every hold of the title (hold_title_active_idx leads with
-- the library), O(queue) per borrower and O(n²) for a storm.
CREATE INDEX hold_digital_queue_idx ON hold (title_id, queue_seq) WHERE kind = 'digital' AND status IN ('waiting', 'ready');

-- 0070's queue functions in PL/pgSQL (plans kept for the session instead of planned per call; the
-- storm calls _next once per borrower), the same definitions otherwise.
CREATE OR REPLACE FUNCTION eenbieb_digital_queue_ahead(t uuid, seq bigint) RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN (SELECT count(*)::int FROM hold WHERE title_id = t AND kind = 'digital' AND status IN ('waiting', 'ready') AND queue_seq < seq);
END
$$;
CREATE OR REPLACE FUNCTION eenbieb_digital_queue_length(t uuid) RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN (SELECT count(*)::int FROM hold WHERE title_id = t AND kind = 'digital' AND status IN ('waiting', 'ready'));
END
$$;
CREATE OR REPLACE FUNCTION eenbieb_digital_queue_next(t uuid, OUT library_id uuid, OUT hold_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  SELECT h.library_id, h.id INTO eenbieb_digital_queue_next.library_id, eenbieb_digital_queue_next.hold_id FROM hold h
  WHERE h.title_id = t AND h.kind = 'digital' AND h.status = 'waiting' AND NOT h.frozen
  ORDER BY h.queue_seq LIMIT 1;
END
$$;

-- 0070's hold trigger, plus the digital queue's count of active holds.
CREATE OR REPLACE FUNCTION eenbieb_hold_counters() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF NEW.kind = 'digital' THEN
      INSERT INTO digital_queue AS q (title_id, last_seq, active) VALUES (NEW.title_id, NEW.queue_seq, 1)
        ON CONFLICT (title_id) DO UPDATE SET active = q.active + 1, last_seq = greatest(q.last_seq, NEW.queue_seq);
    END IF;
  ELSIF was_active AND NOT is_active THEN
    UPDATE lending_member SET holds = holds - 1 WHERE library_id = NEW.library_id AND account_id = NEW.account_id;
    IF NEW.kind = 'digital' THEN
      UPDATE digital_queue SET active = active - 1 WHERE title_id = NEW.title_id;
    END IF;
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

-- The pool of a title that lends next (loan-rules.ts poolHasRoom and poolOrder): the library's
-- priority, then licences that run out anyway (metered_time soonest ending, metered_loans fewest
-- left), simultaneous last; NULL when none has room. With `lock`, every pool of the title is
-- locked first, in id order, so two borrowers of one title never deadlock.
CREATE FUNCTION eenbieb_pool_pick(tid uuid, at timestamptz, take_lock boolean) RETURNS license_pool LANGUAGE plpgsql AS $$
DECLARE
  p license_pool;
BEGIN
  IF take_lock THEN PERFORM 1 FROM license_pool WHERE title_id = tid ORDER BY id FOR UPDATE; END IF;
  SELECT * INTO p FROM license_pool
    WHERE title_id = tid AND (valid_until IS NULL OR valid_until > at)
      AND (concurrency IS NULL OR in_use + offered < concurrency) AND (loans_total IS NULL OR loans_used + offered < loans_total)
    ORDER BY priority, CASE model WHEN 'metered_time' THEN 0 WHEN 'metered_loans' THEN 1 WHEN 'one_copy_one_user' THEN 2 ELSE 3 END,
      valid_until, loans_total - loans_used, id
    LIMIT 1;
  RETURN p;
END
$$;

-- A digital loan on a pool (the pool already locked) with its access grant; the loan trigger counts
-- it against the member's limit and the pool. Due at the pool's loan period, never after the end
-- of a metered_time licence (loan-rules.ts digitalDue).
CREATE FUNCTION eenbieb_lend_digital(lib uuid, acc uuid, max_digital integer, p license_pool, chan text, at timestamptz, OUT loan_id uuid, OUT due_at timestamptz, OUT grant_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
  cname text;
BEGIN
  due_at := eenbieb_due_date(at, p.loan_period_days);
  IF p.valid_until IS NOT NULL AND p.valid_until < due_at THEN due_at := p.valid_until; END IF;
  BEGIN
    INSERT INTO loan (library_id, account_id, kind, title_id, pool_id, channel, checked_out_at, due_at)
      VALUES (lib, acc, 'digital', p.title_id, p.id, chan, at, eenbieb_lend_digital.due_at) RETURNING id INTO loan_id;
  EXCEPTION WHEN check_violation OR unique_violation THEN
    GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
    IF cname = 'lending_member_digital_limit' AND max_digital IS NOT NULL THEN
      PERFORM eenbieb_refuse('LENDING_DIGITAL_LIMIT_REACHED', jsonb_build_object('limit', max_digital));
    END IF;
    IF cname = 'loan_one_open_digital' THEN PERFORM eenbieb_refuse('LENDING_ALREADY_BORROWED'); END IF;
    RAISE;
  END;
  INSERT INTO access_grant (library_id, loan_id, expires_at) VALUES (lib, eenbieb_lend_digital.loan_id, eenbieb_lend_digital.due_at) RETURNING id INTO grant_id;
END
$$;

-- Borrow a digital title (digital.service.ts borrowDigital): a loan when a licence is free and
-- nobody (not paused) waits, the member's own offer taken, or a place in the network-wide queue.
-- `pools` (JSON) is what the wait estimate needs. The access token is signed by the caller.
CREATE FUNCTION eenbieb_borrow_digital(lib uuid, acc uuid, tid uuid, auto boolean, chan text, at timestamptz)
RETURNS TABLE (outcome text, loan_id uuid, hold_id uuid, title text, due_at timestamptz, grant_id uuid, provider text, open_access_url text, "position" integer, pools jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  b record;
  t record;
  h record;
  p license_pool;
  l record;
  seq bigint;
  hid uuid;
  pos integer;
  cname text;
  seen jsonb;
BEGIN
  PERFORM eenbieb_enter_tenant(lib);
  SELECT * INTO b FROM eenbieb_lending_borrower(lib, NULL, acc, at);
  SELECT tt.id, tt.title, tt.open_access_url, tt.owner_library_id INTO t FROM title tt WHERE tt.id = tid;
  IF t.id IS NULL OR (t.owner_library_id IS NOT NULL AND t.owner_library_id <> lib) THEN PERFORM eenbieb_refuse('LENDING_TITLE_NOT_FOUND'); END IF;
  PERFORM 1 FROM loan ll WHERE ll.library_id = lib AND ll.account_id = b.account_id AND ll.title_id = tid AND ll.kind = 'digital' AND ll.status = 'open';
  IF FOUND THEN PERFORM eenbieb_refuse('LENDING_ALREADY_BORROWED'); END IF;
  -- my own offer: take it
  SELECT hh.id, hh.pool_id INTO h FROM hold hh WHERE hh.library_id = lib AND hh.account_id = b.account_id AND hh.title_id = tid
    AND hh.kind = 'digital' AND hh.status = 'ready' FOR UPDATE;
  IF h.id IS NOT NULL THEN
    PERFORM 1 FROM license_pool lp WHERE lp.title_id = tid ORDER BY lp.id FOR UPDATE;
    SELECT * INTO p FROM license_pool lp WHERE lp.id = h.pool_id;
    UPDATE hold SET status = 'fulfilled', ended_at = at, ready_until = NULL WHERE library_id = lib AND id = h.id;
    SELECT * INTO l FROM eenbieb_lend_digital(lib, b.account_id, b.max_digital, p, chan, at);
    RETURN QUERY SELECT 'loan'::text, l.loan_id, NULL::uuid, t.title, l.due_at, l.grant_id, p.provider, t.open_access_url, NULL::int, NULL::jsonb;
    RETURN;
  END IF;
  -- a quick look without locks: a full title (the common case in a storm) needs no pool lock
  PERFORM 1 FROM license_pool lp WHERE lp.title_id = tid;
  IF NOT FOUND THEN PERFORM eenbieb_refuse('LENDING_NOT_DIGITAL'); END IF;
  IF (SELECT q.library_id FROM eenbieb_digital_queue_next(tid) q) IS NULL AND (eenbieb_pool_pick(tid, at, false)).id IS NOT NULL THEN
    p := eenbieb_pool_pick(tid, at, true);
    IF p.id IS NOT NULL THEN
      SELECT * INTO l FROM eenbieb_lend_digital(lib, b.account_id, b.max_digital, p, chan, at);
      -- a waiting hold of mine on this title is fulfilled by the loan
      UPDATE hold SET status = 'fulfilled', ended_at = at, frozen = false
        WHERE library_id = lib AND account_id = b.account_id AND title_id = tid AND kind = 'digital' AND status = 'waiting';
      RETURN QUERY SELECT 'loan'::text, l.loan_id, NULL::uuid, t.title, l.due_at, l.grant_id, p.provider, t.open_access_url, NULL::int, NULL::jsonb;
      RETURN;
    END IF;
  END IF;
  -- the pools as seen now, for the wait estimate (read before the serial section below)
  SELECT jsonb_agg(jsonb_build_object('id', lp.id, 'model', lp.model, 'concurrency', lp.concurrency, 'loansTotal', lp.loans_total,
       'validUntil', lp.valid_until, 'inUse', lp.in_use, 'loansUsed', lp.loans_used, 'offered', lp.offered, 'priority', lp.priority,
       'loanPeriodDays', lp.loan_period_days)) INTO seen FROM license_pool lp WHERE lp.title_id = tid;
  SELECT hh.id, hh.queue_seq INTO h FROM hold hh WHERE hh.library_id = lib AND hh.account_id = b.account_id AND hh.title_id = tid
    AND hh.kind = 'digital' AND hh.status = 'waiting';
  IF h.id IS NOT NULL THEN
    hid := h.id;
    IF auto IS NOT NULL THEN UPDATE hold SET auto_checkout = auto WHERE library_id = lib AND id = hid; END IF;
    pos := eenbieb_digital_queue_ahead(tid, h.queue_seq) + 1;
  ELSE
    -- The queue counter's row lock, held until commit, orders the queue: from here on holds on
    -- this title are placed one at a time, so this part is as short as it can be.
    INSERT INTO digital_queue AS q (title_id, last_seq) VALUES (tid, 1)
      ON CONFLICT (title_id) DO UPDATE SET last_seq = q.last_seq + 1 RETURNING q.last_seq INTO seq;
    BEGIN
      INSERT INTO hold (library_id, account_id, kind, title_id, queue_seq, auto_checkout, created_at)
        VALUES (lib, b.account_id, 'digital', tid, seq, coalesce(auto, false), at) RETURNING id INTO hid;
    EXCEPTION WHEN check_violation OR unique_violation THEN
      GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
      IF cname = 'lending_member_hold_limit' THEN PERFORM eenbieb_refuse('LENDING_HOLD_LIMIT_REACHED', jsonb_build_object('limit', b.max_holds)); END IF;
      IF cname = 'hold_one_active' THEN PERFORM eenbieb_refuse('LENDING_HOLD_EXISTS'); END IF;
      RAISE;
    END;
    -- every active hold of the title is ahead of this newest one (the trigger counted it too)
    SELECT q.active INTO pos FROM digital_queue q WHERE q.title_id = tid;
  END IF;
  RETURN QUERY SELECT 'hold'::text, NULL::uuid, hid, t.title, NULL::timestamptz, NULL::uuid, NULL::text, NULL::text, pos, seen;
END
$$;

