-- The digital storm in under 5 s (issue #6): the serial section of placing a digital hold.
--
-- 5,000 borrowers of one title queue on its digital_queue counter row. A row lock is a poor queue:
-- when its holder commits, EVERY backend waiting for the row wakes, finds the version it waited
-- for updated, and goes back to the index for the new one (ON CONFLICT DO UPDATE retries), so
-- each hold cost O(waiting backends) wake-ups, index probes and context switches on the two
-- cores. Borrowers now first take a transaction-scoped advisory lock on the title (heavyweight
-- lock queue: a commit wakes only the next waiter, in arrival order), and find the counter row
-- unlocked. The row stays the truth and its lock still orders the queue for every other writer;
-- the advisory lock only decides who asks for it next. (Key: 6, the issue; two-int4 key space,
-- apart from the bigint keys used elsewhere.)
--
-- The counter row was also updated twice per hold (last_seq by the function, then active by the
-- hold trigger, two row versions in the serial section); now one update hands out the place and
-- counts the hold, and the trigger counts only holds whose place the counter did not hand out.

-- Finally the commit: the row lock was held through the commit's own WAL flush, so holds on a
-- title were placed no faster than one fsync after another (and a flush is slow on a busy disk).
-- The borrow now commits without waiting for its flush, releasing the title's locks at once, and
-- the service answers only after eenbieb_wal_flushed(): a transaction that commits synchronously
-- after ours flushes the WAL past our commit record, and concurrent ones share one flush (group
-- commit). Durability of an acknowledged answer is as before.

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
    -- a new hold whose place the queue counter handed out (eenbieb_borrow_digital) was counted
    -- then, in the same update of the counter row; any other is counted here
    IF NEW.kind = 'digital' AND NOT (TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM digital_queue q WHERE q.title_id = NEW.title_id AND q.last_seq >= NEW.queue_seq)) THEN
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

CREATE OR REPLACE FUNCTION eenbieb_borrow_digital(lib uuid, acc uuid, tid uuid, auto boolean, chan text, at timestamptz)
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
  -- Commit without waiting for the WAL flush, so the locks that serialise this title are released
  -- at once; the caller (digital.service.ts borrowDigital) waits for the flush before it answers
  -- (eenbieb_wal_flushed), so an acknowledged loan or hold is durable all the same.
  PERFORM set_config('synchronous_commit', 'off', true);
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
    -- this title are placed one at a time, so this part is as short as it can be. The title's
    -- advisory lock is taken first so that waiting borrowers queue on a lock that wakes ONE of
    -- them per commit (see the note above).
    PERFORM pg_advisory_xact_lock(6, hashtext(tid::text));
    INSERT INTO digital_queue AS q (title_id, last_seq, active) VALUES (tid, 1, 1)
      ON CONFLICT (title_id) DO UPDATE SET last_seq = q.last_seq + 1, active = q.active + 1 RETURNING q.last_seq, q.active INTO seq, pos;
    BEGIN
      INSERT INTO hold (library_id, account_id, kind, title_id, queue_seq, auto_checkout, created_at)
        VALUES (lib, b.account_id, 'digital', tid, seq, coalesce(auto, false), at) RETURNING id INTO hid;
    EXCEPTION WHEN check_violation OR unique_violation THEN
      GET STACKED DIAGNOSTICS cname = CONSTRAINT_NAME;
      IF cname = 'lending_member_hold_limit' THEN PERFORM eenbieb_refuse('LENDING_HOLD_LIMIT_REACHED', jsonb_build_object('limit', b.max_holds)); END IF;
      IF cname = 'hold_one_active' THEN PERFORM eenbieb_refuse('LENDING_HOLD_EXISTS'); END IF;
      RAISE;
    END;
    -- (pos: every active hold of the title is ahead of this newest one, counted with it above)
  END IF;
  RETURN QUERY SELECT 'hold'::text, NULL::uuid, hid, t.title, NULL::timestamptz, NULL::uuid, NULL::text, NULL::text, pos, seen;
END
$$;

-- Returns once the WAL is flushed past every commit made before the call: committing a transaction
-- with a transaction id (synchronously, the default) flushes the WAL up to its commit record.
CREATE FUNCTION eenbieb_wal_flushed() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'on', true);
  PERFORM txid_current();
END
$$;
